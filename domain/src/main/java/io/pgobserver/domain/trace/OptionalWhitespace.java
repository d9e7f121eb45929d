package io.pgobserver.domain.trace;

/**
 * HTTP's optional whitespace (RFC 9110, section 5.6.3): spaces and horizontal tabs, and nothing else. An HTTP server
 * strips it from around a header's value before a tracer sees it; a writer's {@code pgobserver.traceparent} has no
 * server in front of it, so the same is done here, and W3C's test suite expects exactly that much tolerance.
 */
final class OptionalWhitespace {

    private OptionalWhitespace() {
    }

    /** {@code value} without the spaces and tabs around it; the same string when there are none. */
    static String strip(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isOws(value.charAt(start))) {
            start++;
        }
        while (end > start && isOws(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
