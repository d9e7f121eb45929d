package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Standard Webhooks signatures: {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>}.
 * A secret {@code whsec_<base64>} is the base64 of the key bytes, as Standard Webhooks libraries generate it;
 * any other secret is used as its UTF-8 bytes.
 */
final class WebhookSigner {

    private static final String PREFIX = "whsec_";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private WebhookSigner(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** @throws IllegalArgumentException when a {@code whsec_} secret is not base64 (the secret is not shown) */
    static WebhookSigner of(Secret secret) {
        String value = secret.reveal();
        byte[] key;
        if (value.startsWith(PREFIX)) {
            String base64 = value.substring(PREFIX.length());
            try {
                key = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("webhook secret starts with 'whsec_' but the rest is not base64;"
                        + " use 'whsec_' + base64 of the key bytes, or a secret without the prefix");
            }
            if (base64.length() % 4 != 0) {
                // Java and Node.js decode it, but Python's base64 (and so the guide's Python receiver and the
                // Standard Webhooks library for Python) refuses it: every request would fail there.
                throw new IllegalArgumentException("webhook secret starts with 'whsec_' but its base64 lacks the '='"
                        + " padding at its end; add " + "=".repeat(4 - base64.length() % 4) + " at the end, here and"
                        + " at the receiver (the key stays the same): Python's base64, and the Standard Webhooks"
                        + " library for Python, refuse it without");
            }
        } else {
            key = value.getBytes(StandardCharsets.UTF_8);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("webhook secret is empty");
        }
        return new WebhookSigner(key);
    }

    String sign(String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSigner[" + Secret.MASK + "]";
    }
}
