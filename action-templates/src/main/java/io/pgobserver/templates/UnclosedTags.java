package io.pgobserver.templates;

/**
 * Finds a tag left open, such as <code>order {{after.id</code>: JMustache prints such a tag as text instead of failing,
 * so a typo would reach every message unnoticed.
 */
final class UnclosedTags {

    private static final String OPEN = "{{";
    private static final String CLOSE = "}}";

    private UnclosedTags() {
    }

    /**
     * @return what is wrong and where (line and column, counted from 1), or null when every tag is closed. A template
     * that changes its delimiters ({@code {{=<% %>=}}}) may hold <code>{{</code> as text, so it is not checked.
     */
    static String first(String source) {
        if (source.contains(OPEN + "=")) {
            return null;
        }
        int open = source.indexOf(OPEN);
        while (open >= 0) {
            int close = source.indexOf(CLOSE, open + OPEN.length());
            int next = source.indexOf(OPEN, open + OPEN.length());
            if (close < 0 || (next >= 0 && next < close)) {
                return "the tag at " + position(source, open) + " (" + excerpt(source, open, next)
                        + ") is not closed: end it with }}, such as {{after.id}}";
            }
            open = source.indexOf(OPEN, close + CLOSE.length());
        }
        return null;
    }

    private static String position(String source, int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = index - lineStart + 1;
        return line == 1 ? "column " + column : "line " + line + ", column " + column;
    }

    /** The open tag as written, up to the next tag or the end of its line, at most 40 characters. */
    private static String excerpt(String source, int open, int next) {
        int end = next >= 0 ? next : source.length();
        int newline = source.indexOf('\n', open);
        if (newline >= 0 && newline < end) {
            end = newline;
        }
        return source.substring(open, Math.min(end, open + 40)).strip();
    }
}
