package io.pgobserver.bootstrap.cli;

import java.util.regex.Pattern;

/** A word of a command line printed for the user to paste into a POSIX shell: quoted when the shell would split it. */
final class ShellWord {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

    private ShellWord() {
    }

    static String of(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
