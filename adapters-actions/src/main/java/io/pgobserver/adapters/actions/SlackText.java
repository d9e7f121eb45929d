package io.pgobserver.adapters.actions;

/**
 * A message text as Slack takes it. Slack refuses an empty text ({@code no_text}) and a text past
 * {@value #MAX_LENGTH} characters ({@code msg_too_long}); neither passes on a retry. A long text is cut with a
 * marker saying so, as a row with a huge column should still tell the channel something; an empty one is refused
 * before it is sent.
 *
 * @param text the text to send
 * @param cut  true when the rendered text was longer than Slack takes and was cut
 */
record SlackText(String text, boolean cut) {

    /** Slack's limit on {@code chat.postMessage}'s text, which incoming webhooks share. */
    static final int MAX_LENGTH = 40_000;
    /** How far back a cut looks for a link or mention it would leave open. */
    private static final int MARKUP_LOOKBACK = 2_000;

    /** The text to send for a rendered one, or null when it is empty (nothing Slack would take). */
    static SlackText of(String rendered) {
        if (rendered.isBlank()) {
            return null;
        }
        if (rendered.length() <= MAX_LENGTH) {
            return new SlackText(rendered, false);
        }
        String marker = "\n... (cut by pg-observer: the text had " + rendered.length() + " characters; Slack takes "
                + MAX_LENGTH + ")";
        return new SlackText(rendered.substring(0, cutAt(rendered, MAX_LENGTH - marker.length())) + marker, true);
    }

    /**
     * Where to cut so that what is kept still reads as Slack markup: never inside a surrogate pair, an escape
     * ({@code &amp;}) or a link or mention ({@code <https://...|x>}), which would show as broken text.
     */
    private static int cutAt(String text, int limit) {
        int end = limit;
        if (Character.isLowSurrogate(text.charAt(end))) {
            end--;
        }
        int amp = text.lastIndexOf('&', end - 1);
        if (amp >= 0 && end - amp < "&amp;".length() && text.indexOf(';', amp) >= end) {
            end = amp;
        }
        int open = text.lastIndexOf('<', end - 1);
        if (open >= 0 && end - open <= MARKUP_LOOKBACK && text.indexOf('>', open) >= end) {
            end = open;
        }
        return end;
    }
}
