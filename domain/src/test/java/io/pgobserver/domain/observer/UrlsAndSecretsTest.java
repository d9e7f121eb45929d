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
    void secretsNeverPrint() {
        Secret secret = new Secret("s3cr3t");
        assertThat(secret.toString()).isEqualTo("****");
        assertThat(secret.reveal()).isEqualTo("s3cr3t");
    }
}
