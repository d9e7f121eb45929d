package io.pgobserver.adapters.postgres;

import java.util.Optional;

/**
 * Whether a backfill's {@code --where} text stands alone as one expression once pasted into a chunk's statement as
 * {@code ... where (key) > (?) and (<condition>)}. The server accepts {@code 1=1) or (1=1} there (it becomes
 * {@code key > ? and (1=1) or (1=1)}), and then the key bound no longer holds and every chunk reads the same rows
 * again, so the text itself is checked: parentheses must balance, and nothing may end the statement or swallow its
 * rest ({@code ;}, a comment or quote left open). They count only where PostgreSQL's lexer would see them: outside
 * string literals ({@code '...'} with {@code ''}, {@code E'...'} with backslash escapes), quoted identifiers
 * ({@code "..."}) and dollar quotes ({@code $$...$$}, {@code $tag$...$tag$}), and outside closed comments.
 */
final class StandaloneCondition {

    private StandaloneCondition() {
    }

    /** What keeps {@code condition} from standing alone as one expression, or empty when nothing does. */
    static Optional<String> problem(String condition) {
        int depth = 0;
        int i = 0;
        while (i < condition.length()) {
            char c = condition.charAt(i);
            String tag;
            int end;
            if (c == '\'') {
                end = afterQuoted(condition, i, '\'', escapeString(condition, i));
            } else if (c == '"') {
                end = afterQuoted(condition, i, '"', false);
            } else if (c == '$' && (tag = dollarTag(condition, i)) != null) {
                int close = condition.indexOf(tag, i + tag.length());
                end = close < 0 ? -1 : close + tag.length();
            } else if (condition.startsWith("/*", i)) {
                end = afterBlockComment(condition, i);
            } else if (condition.startsWith("--", i)) {
                end = afterLine(condition, i);
            } else {
                if (c == ';') {
                    return at("a ';', which would end the chunk's statement", i);
                }
                if (c == ')' && --depth < 0) {
                    return at("a ')' that closes a parenthesis the condition did not open", i);
                }
                depth += c == '(' ? 1 : 0;
                end = i + 1;
            }
            if (end < 0) {
                return at(opening(c) + " that is never closed, so it would swallow the rest of the chunk's "
                        + "statement", i);
            }
            i = end;
        }
        return depth == 0 ? Optional.empty()
                : Optional.of(depth + " parenthes" + (depth == 1 ? "is" : "es") + " left open");
    }

    private static Optional<String> at(String what, int index) {
        return Optional.of(what + " (character " + (index + 1) + ")");
    }

    private static String opening(char c) {
        return switch (c) {
            case '\'' -> "a string literal";
            case '"' -> "a quoted identifier";
            case '$' -> "a dollar quote";
            case '/' -> "a /* comment";
            default -> "a -- comment (end it with a line break)";
        };
    }

    /** Whether the quote at {@code quote} opens an {@code E'...'} literal, where a backslash escapes. */
    private static boolean escapeString(String text, int quote) {
        return quote > 0 && (text.charAt(quote - 1) == 'E' || text.charAt(quote - 1) == 'e')
                && (quote == 1 || !wordCharacter(text.charAt(quote - 2)));
    }

    /** The index after the quote closing the one at {@code open}, or -1 when none does; a doubled quote is one. */
    private static int afterQuoted(String text, int open, char quote, boolean backslash) {
        int i = open + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == quote && i + 1 < text.length() && text.charAt(i + 1) == quote) {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return -1;
    }

    /**
     * The dollar quote's delimiter starting at {@code dollar} ({@code $$} or {@code $tag$}), or null: a {@code $}
     * inside a word ({@code a$b}) or before a digit ({@code $1}) starts none.
     */
    private static String dollarTag(String text, int dollar) {
        if (dollar > 0 && wordCharacter(text.charAt(dollar - 1))) {
            return null;
        }
        int i = dollar + 1;
        while (i < text.length() && text.charAt(i) != '$') {
            char c = text.charAt(i);
            boolean allowed = c == '_' || Character.isLetter(c) || c >= 0x80 || (i > dollar + 1 && Character.isDigit(c));
            if (!allowed) {
                return null;
            }
            i++;
        }
        return i < text.length() ? text.substring(dollar, i + 1) : null;
    }

    /** The index after the comment opened at {@code open}, or -1; PostgreSQL's block comments nest. */
    private static int afterBlockComment(String text, int open) {
        int depth = 0;
        int i = open;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                depth++;
                i += 2;
            } else if (text.startsWith("*/", i)) {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return -1;
    }

    /** The index of the line break ending the {@code --} comment at {@code open}, or -1 when it runs to the end. */
    private static int afterLine(String text, int open) {
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '\n' || text.charAt(i) == '\r') {
                return i;
            }
        }
        return -1;
    }

    /** A character an identifier or keyword goes on with, as PostgreSQL's lexer has it. */
    private static boolean wordCharacter(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
    }
}
