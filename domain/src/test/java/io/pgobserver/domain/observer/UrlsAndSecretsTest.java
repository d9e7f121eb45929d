package io.pgobserver.domain.observer;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

class UrlsAndSecretsTest {

    @Test
    void redactionDropsCredentialsQueryAndFragment() {
        assertThat(Urls.redact(URI.create("https://user:pw@hooks.example.com:8443/p/q?token=abc#frag")))
                .isEqualTo("https://hooks.example.com:8443/p/q");
        assertThat(Urls.redact("http://example.com/hook")).isEqualTo("http://example.com/hook");
        assertThat(Urls.redact("not a url %%")).doesNotContain("%%");
    }

    /** A webhook's url template is no URI, but it is shown as one: where it goes, without what authenticates it. */
    @Test
    void aUrlTemplateIsRedactedAsAUrlIs() {
        assertThat(Urls.redact("https://u:p@ss@api.example.com:8443/orders/{{after.id}}?token={{after.t}}#f"))
                .isEqualTo("https://api.example.com:8443/orders/{{after.id}}");
        assertThat(Urls.redactIn("webhook DELETE https://api.example.com/orders/{{after.code}}: url template failed"))
                .isEqualTo("webhook DELETE https://api.example.com/orders/{{after.code}}: url template failed");
        // An action's key outlives a rotated password in a templated url, as in a plain one.
        assertThat(Urls.withoutCredentials("https://u:p@ss@api.example.com/orders/{{after.id}}?x=1"))
                .isEqualTo("https://api.example.com/orders/{{after.id}}?x=1");
        assertThat(Urls.withoutCredentials("text {{after.id}} with https://u:p@h")).as("no url")
                .isEqualTo("text {{after.id}} with https://u:p@h");
    }

    @Test
    void freeTextLosesCredentialsInUrlsAndSecretValues() {
        assertThat(Urls.redactIn("refused by https://bob:pw@hooks.example.com/h?sig=abc then password=hunter2, "
                + "api_key: k-123 & Authorization: Bearer tok123 then Authorization=Basic dXNlcjpwdw== end"))
                .isEqualTo("refused by https://hooks.example.com/h then password=****, api_key: **** & "
                        + "Authorization: Bearer **** then Authorization=Basic **** end");
        assertThat(Urls.redactIn("HTTP 503 Service Unavailable")).isEqualTo("HTTP 503 Service Unavailable");
        assertThat(Urls.redactIn(null)).isNull();
    }

    /** What an action's stable key reads of a URL: where it goes, not what authenticates it. */
    @Test
    void aUrlWithoutCredentialsKeepsWhereItGoesAndLosesUserInfoAndSecretQueryValues() {
        assertThat(Urls.withoutCredentials("https://bob:pw@hooks.example.com:8443/p/q?token=abc&tenant=7&api_key=k"
                + "&X-Amz-Signature=s&sig=x&keyword=a#frag"))
                .isEqualTo("https://hooks.example.com:8443/p/q?token=&tenant=7&api_key=&X-Amz-Signature=&sig="
                        + "&keyword=a#frag");
        assertThat(Urls.withoutCredentials("https://u@h.example/a%20b?access_token=t")).isEqualTo(
                "https://h.example/a%20b?access_token=");
        assertThat(Urls.withoutCredentials("https://h.example/x?auth=t&x-auth-code=c&author=ada")).isEqualTo(
                "https://h.example/x?auth=&x-auth-code=&author=ada");
        // Nothing to leave out: the text as it was, so a key derived from it does not change.
        for (String same : new String[]{"http://localhost:8080/hook", "https://h.example/x?tenant=7&&flag",
                "https://h.example/%7Ea?q=%20", "orders.{{event.kind}}", "not a url %%", "mailto:a@example.com", "",
                "https://h.example/feed?author=ada&authority=eu"}) {
            assertThat(Urls.withoutCredentials(same)).isSameAs(same);
        }
    }

    @Test
    void secretsNeverPrint() {
        Secret secret = new Secret("s3cr3t");
        assertThat(secret.toString()).isEqualTo("****");
        assertThat(secret.reveal()).isEqualTo("s3cr3t");
    }
}
