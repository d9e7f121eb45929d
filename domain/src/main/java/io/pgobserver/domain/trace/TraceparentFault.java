package io.pgobserver.domain.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What is wrong with a {@code traceparent} that {@link TraceContext#parse} refuses, in words for the warning that
 * names it: the field and the W3C Trace Context rule it breaks, so that whoever fixes the writer need not compare 55
 * characters by eye. The parser alone decides what is valid; this only explains its refusal, field by field.
 */
public final class TraceparentFault {

    private static final String FIELDS = "version-traceid-spanid-flags";

    private TraceparentFault() {
    }

    /**
     * @return what is wrong with {@code traceparent}, starting "its …" or "it …"; empty when it is valid, or absent
     *         or blank (no context, which is no fault)
     */
    public static Optional<String> of(String traceparent) {
        if (traceparent == null || traceparent.isBlank() || TraceContext.parse(traceparent).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(in(OptionalWhitespace.strip(traceparent)));
    }

    private static String in(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                return "it has a space or tab inside it (only those around it are ignored)";
            }
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                // The log shows such a character as '?': name it.
                return "it contains " + (c == '\n' ? "a line break (\\n)" : c == '\r' ? "a carriage return (\\r)"
                        : "the character U+%04X".formatted((int) c)) + ", which no traceparent has";
            }
        }
        String[] fields = value.split("-", -1);
        if (fields.length < 4) {
            return fields.length == 3 && fields[0].length() == 32 ? "it has no version: it must begin with 00-"
                    : "it has " + fields.length + (fields.length == 1 ? " field" : " fields")
                    + " where W3C has 4, separated by '-' (" + FIELDS + ")";
        }
        String version = fields[0];
        String wrong = hex("version", version, 2);
        if (wrong == null && version.equals("ff")) {
            wrong = "its version is ff, which W3C forbids";
        }
        if (wrong == null) {
            wrong = id("trace id", fields[1], 32);
        }
        if (wrong == null) {
            wrong = id("span id", fields[2], 16);
        }
        if (wrong != null) {
            return wrong;
        }
        String flags = fields[3];
        // Two flag digits, then what is no digit: the value goes on after its flags.
        boolean goesOn = fields.length > 4 || flags.length() > 2 && hex("flags", flags.substring(0, 2), 2) == null
                && hex("flags", flags, flags.length()) != null;
        if (goesOn && version.equals("00")) {
            return "it goes on after the flags, where version 00 ends with them";
        }
        if (goesOn && fields.length == 4) {
            return "it goes on after the flags with '" + flags.charAt(2) + "', where a later version's next field"
                    + " must begin with '-'";
        }
        wrong = hex("flags field", flags, 2);
        return wrong != null ? wrong : "it does not follow the W3C format " + FIELDS;
    }

    private static String id(String name, String field, int digits) {
        String wrong = hex(name, field, digits);
        return wrong == null && field.chars().allMatch(c -> c == '0')
                ? "its " + name + " is all zeros, which W3C does not allow" : wrong;
    }

    /** @return what makes {@code field} other than {@code digits} lowercase hex digits, or null when nothing does */
    private static String hex(String name, String field, int digits) {
        if (field.isEmpty()) {
            return "its " + name + " is empty, where W3C has " + digits + " lowercase hex digits";
        }
        boolean upper = false;
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c >= 'A' && c <= 'F') {
                upper = true;
            } else if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return "its " + name + " has " + (c > ' ' && c < 0x7f ? "'" + c + "'" : "U+%04X".formatted((int) c))
                        + ", which is not a hex digit";
            }
        }
        List<String> wrong = new ArrayList<>();
        if (field.length() != digits) {
            wrong.add(field.length() + (field.length() == 1 ? " digit" : " digits") + ", where W3C has " + digits);
        }
        if (upper) {
            wrong.add("upper-case hex digits, where W3C allows lowercase only");
        }
        return wrong.isEmpty() ? null : "its " + name + " has " + String.join(", and ", wrong);
    }
}
