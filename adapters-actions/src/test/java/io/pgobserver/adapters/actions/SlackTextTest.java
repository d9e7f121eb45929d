package io.pgobserver.adapters.actions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Where a text too long for Slack is cut: never through a character, an escape or a link. */
class SlackTextTest {

    private static final int MARKER = "\n... (cut by pg-observer: the text had 50000 characters; Slack takes 40000)"
            .length();
    private static final int KEPT = SlackText.MAX_LENGTH - MARKER;

    private static String kept(String text) {
        SlackText slack = SlackText.of(text);
        assertThat(slack.cut()).isTrue();
        assertThat(slack.text()).hasSizeLessThanOrEqualTo(SlackText.MAX_LENGTH)
                .endsWith("\n... (cut by pg-observer: the text had " + text.length() + " characters; Slack takes "
                        + "40000)");
        return slack.text().substring(0, slack.text().length() - MARKER);
    }

    private static String padded(String around, int at) {
        String head = "a".repeat(at);
        return head + around + "b".repeat(50_000 - head.length() - around.length());
    }

    @Test
    void aTextWithinTheLimitIsSentAsItIs() {
        String text = "c".repeat(SlackText.MAX_LENGTH);
        assertThat(SlackText.of(text)).isEqualTo(new SlackText(text, false));
    }

    @Test
    void anEmptyOrBlankTextIsNothingToSend() {
        assertThat(SlackText.of("")).isNull();
        assertThat(SlackText.of(" \n\t")).isNull();
    }

    @Test
    void aCutKeepsAsMuchAsFitsBesideTheMarker() {
        assertThat(kept("d".repeat(50_000))).isEqualTo("d".repeat(KEPT));
    }

    @Test
    void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
        // The limit falls between the two halves of the emoji: it is left out whole.
        assertThat(kept(padded("\uD83D\uDE80", KEPT - 1))).isEqualTo("a".repeat(KEPT - 1));
    }

    @Test
    void aCutNeverLeavesHalfAnEscape() {
        assertThat(kept(padded("&amp;", KEPT - 2))).isEqualTo("a".repeat(KEPT - 2));
        assertThat(kept(padded("&amp;", KEPT - 5))).isEqualTo("a".repeat(KEPT - 5) + "&amp;");
    }

    @Test
    void aCutNeverLeavesALinkOpen() {
        String link = "<https://example.com/orders/42|order 42>";
        assertThat(kept(padded(link, KEPT - 10))).isEqualTo("a".repeat(KEPT - 10));
        assertThat(kept(padded(link, KEPT - link.length()))).isEqualTo("a".repeat(KEPT - link.length()) + link);
    }
}
