package io.pgobserver.adapters.actions;

import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.TestSpans;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS verification is on by default for webhooks and Slack (SMTP: adapters-email's {@code SmtpTlsIT}): a receiver whose
 * certificate no trusted authority signed gets no request, and the failure is permanent (retrying cannot fix a
 * certificate) with a message that says so. A client that trusts the certificate reaches the same server, so the
 * refusal is the verification and not a broken server.
 */
class TlsVerificationIT {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    private static SSLContext serverContext;
    private static X509TrustManager trustingThisCertificate;

    private final MockWebServer server = new MockWebServer();
    private HttpTransport http;

    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        // keytool ships with every JDK: no test-only TLS library needed.
        Path store = dir.resolve("receiver.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        trustingThisCertificate = (X509TrustManager) tmf.getTrustManagers()[0];
    }

    @BeforeEach
    void start() throws Exception {
        server.useHttps(serverContext.getSocketFactory());
        server.start();
        http = new HttpTransport(ActionsSettings.defaults(), Metrics.NOOP);
    }

    @AfterEach
    void stop() {
        http.stop();
        server.close();
    }

    private static ActionRequest request(ActionSpec action) {
        ChangeEvent event = Events.event(1, "7", ChangeKind.CREATED, Map.of(), Map.of("id", 7));
        return new ActionRequest(event, "o", action, 0, 1, DeliveryKey.of("it", event, "o", "a0").id());
    }

    private void assertRefusedForItsCertificate(ActionResult result) {
        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).as("a certificate problem is permanent").isTrue();
            assertThat(f.message()).containsIgnoringCase("certificate")
                    .as("the fix: the JVM's trust store, and where to set it")
                    .contains("not retried", "-Djavax.net.ssl.trustStore=FILE", "JAVA_OPTS");
        });
        assertThat(server.getRequestCount()).as("requests that got past the handshake").isZero();
    }

    @Test
    void a_webhook_to_an_untrusted_certificate_is_refused() {
        WebhookExecutor executor = new WebhookExecutor(http, ActionsSettings.defaults(), k -> null,
                Clock.systemUTC());
        WebhookAction hook = new WebhookAction(server.url("/hook").uri(), "POST", Map.of(), null,
                Duration.ofSeconds(10));
        assertRefusedForItsCertificate(executor.execute(request(hook), TestSpans.NOOP));
    }

    @Test
    void a_slack_post_to_an_untrusted_certificate_is_refused() {
        SlackExecutor executor = new SlackExecutor(http, ActionsSettings.defaults(), Clock.systemUTC());
        SlackAction slack = new SlackAction(server.url("/services/T0/B0/x").uri(), null, null, null, "hi", null);
        assertRefusedForItsCertificate(executor.execute(request(slack), TestSpans.NOOP));
    }

    @Test
    void the_same_server_answers_a_client_that_trusts_its_certificate() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new javax.net.ssl.TrustManager[]{trustingThisCertificate}, null);
        OkHttpClient client = new OkHttpClient.Builder()
                .sslSocketFactory(trusting.getSocketFactory(), trustingThisCertificate).build();
        try (Response response = client.newCall(new Request.Builder().url(server.url("/hook")).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
