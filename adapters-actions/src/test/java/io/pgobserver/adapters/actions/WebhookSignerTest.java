package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSignerTest {

    @Test
    void matchesTheStandardWebhooksReferenceVector() {
        // The example from the Standard Webhooks specification and its reference libraries.
        WebhookSigner signer = WebhookSigner.of(new Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        String signature = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void differentIdsTimestampsOrBodiesSignDifferently() {
        WebhookSigner signer = WebhookSigner.of(new Secret("raw secret"));
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String base = signer.sign("id", 1, body);
        assertThat(signer.sign("id2", 1, body)).isNotEqualTo(base);
        assertThat(signer.sign("id", 2, body)).isNotEqualTo(base);
        assertThat(signer.sign("id", 1, "{ }".getBytes(StandardCharsets.UTF_8))).isNotEqualTo(base);
        assertThat(WebhookSigner.of(new Secret("other secret")).sign("id", 1, body)).isNotEqualTo(base);
    }

    @Test
    void badSecretsAreRejectedWithoutShowingThem() {
        assertThatThrownBy(() -> WebhookSigner.of(new Secret("whsec_not*base64")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("not*base64");
        assertThatThrownBy(() -> WebhookSigner.of(new Secret("whsec_")))
                .hasMessageContaining("empty");
        assertThat(WebhookSigner.of(new Secret("whsec_c2VjcmV0")).toString()).doesNotContain("c2VjcmV0");
    }

    /**
     * A {@code whsec_} secret whose base64 lacks its padding is refused at boot, naming what to add: the JDK decodes it,
     * but Python's base64 does not, so the guide's Python receiver (and the Standard Webhooks library for Python) would
     * fail on every request it signs.
     */
    @Test
    void aWhsecSecretWithoutItsPaddingIsRefusedNamingThePadding() {
        // "secret!" is 7 bytes: "c2VjcmV0IQ==" in base64, written here without its "==".
        assertThatThrownBy(() -> WebhookSigner.of(new Secret("whsec_c2VjcmV0IQ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lacks the '=' padding")
                .hasMessageContaining("add == at the end")
                .hasMessageNotContaining("c2VjcmV0IQ");
        assertThat(WebhookSigner.of(new Secret("whsec_c2VjcmV0IQ==")).sign("id", 1, new byte[0]))
                .isEqualTo(WebhookSigner.of(new Secret("secret!")).sign("id", 1, new byte[0]));
    }
}
