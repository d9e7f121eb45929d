package io.pgobserver.bootstrap.config;

/**
 * Text made to fit one line of output: an error, a dead letter's reason or a parser's problem may span several (a
 * CEL snippet with its caret, a stack of causes), and every message pg-observer prints is one line.
 */
public final class OneLine {

    private OneLine() {
    }

    /** The text with each line break, and the blanks around it, made one space; empty for none. */
    public static String of(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
