package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook and Slack settings this adapter owns: what they print, and errors that name the key and the fix. */
class ActionSpecsTest {

    @Test
    void aWebhookNeverPrintsItsSecretCredentialsOrQuery() {
        Secret secret = new Secret("s3cr3t");
        assertThat(new WebhookAction(URI.create("https://u:p@example.com/h?k=v"), secret).toString())
                .isEqualTo("webhook POST https://example.com/h")
                .doesNotContain("s3cr3t").doesNotContain("u:p").doesNotContain("k=v");
    }

    @Test
    void aWebhookNamesTheKeyAndTheFix() {
        assertThatThrownBy(() -> new WebhookAction(URI.create("ftp://example.com/h"), null))
                .hasMessage("url must be an http or https URL, such as https://shop.example.com/hooks, not "
                        + "ftp://example.com/h");
        assertThatThrownBy(() -> new WebhookAction(URI.create("https://example.com/h"), "POST", Map.of(), null,
                Duration.ZERO)).hasMessage("timeout must be positive, such as 10s (or leave it out for 10s)");
    }

    @Test
    void slackNamesTheKeyAndTheFix() {
        URI hook = URI.create("https://hooks.slack.com/services/T/B/x");
        assertThatThrownBy(() -> new SlackAction(null, null, null, "#o", "hi", null))
                .hasMessageStartingWith("set exactly one of webhook_url").hasMessageContaining("token");
        assertThatThrownBy(() -> new SlackAction(hook, new Secret("xoxb-1"), null, "#o", "hi", null))
                .hasMessageStartingWith("set exactly one of webhook_url");
        assertThatThrownBy(() -> new SlackAction(hook, null, null, null, " ", null))
                .hasMessageStartingWith("text must be set");
        assertThatThrownBy(() -> new SlackAction(null, new Secret("xoxb-1"), null, null, "hi", null))
                .hasMessage("channel must be set with token, such as \"#orders\"");
        assertThat(new SlackAction(hook, null, null, null, "hi", null).apiUrl()).isEqualTo(SlackAction.DEFAULT_API_URL);
    }
}
