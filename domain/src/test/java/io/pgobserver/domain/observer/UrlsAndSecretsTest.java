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

    @Test
    void freeTextLosesCredentialsInUrlsAndSecretValues() {
        assertThat(Urls.redactIn("refused by https://bob:pw@hooks.example.com/h?sig=abc then password=hunter2, "
                + "api_key: k-123 & Authorization: Bearer tok123 then Authorization=Basic dXNlcjpwdw== end"))
                .isEqualTo("refused by https://hooks.example.com/h then password=****, api_key: **** & "
                        + "Authorization: Bearer **** then Authorization=Basic **** end");
        assertThat(Urls.redactIn("HTTP 503 Service Unavailable")).isEqualTo("HTTP 503 Service Unavailable");
        assertThat(Urls.redactIn(null)).isNull();
    }

    @Test
    void secretsNeverPrint() {
        Secret secret = new Secret("s3cr3t");
        assertThat(secret.toString()).isEqualTo("****");
        assertThat(secret.reveal()).isEqualTo("s3cr3t");
    }
}
