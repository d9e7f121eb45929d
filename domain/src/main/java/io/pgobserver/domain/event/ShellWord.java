package io.pgobserver.domain.event;

import java.util.regex.Pattern;

/**
 * A word of a command printed for the user to paste into a POSIX shell, such as a table's name: quoted when the
 * shell would split it or read its characters, so that the pasted command gets the word whole.
 */
public final class ShellWord {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private ShellWord() {
    }

    /** For a command printed bare: {@code pg-observer install --table 'Sales Dept.Order Items'}. */
    public static String of(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * For a command the advice already puts in single quotes, where a single-quoted word would read as the quotes'
     * end: {@code run 'pg-observer install --table "Sales Dept.Order Items"'}. A {@code !} is put outside the double
     * quotes, escaped: in an interactive bash, where the command is pasted, it is history expansion even inside them
     * ({@code "a!b"}: event not found; {@code "t!!"} the previous command), and a backslash there stays in the word.
     * A {@code '} is written without the character, which the reader would take for the end of the advice's quotes
     * (and copy the command only up to it): {@code "o$(printf \\047)brien"}, the command substitution's output
     * being {@code '} and its spaces not splitting the word, as it stands in double quotes.
     */
    public static String inQuotes(String word) {
        return PLAIN.matcher(word).matches() ? word
                : '"' + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`")
                        .replace("!", "\"\\!\"").replace("'", "$(printf \\\\047)") + '"';
    }
}
