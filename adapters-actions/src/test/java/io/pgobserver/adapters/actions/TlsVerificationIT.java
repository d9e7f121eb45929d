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
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS verification is on by default for webhooks and Slack (SMTP: adapters-email's {@code SmtpTlsIT}): a receiver whose
 * certificate no trusted authority signed, or one trusted but for another host name, gets no request, and the failure is permanent (retrying cannot fix a
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
        KeyStore keys = load(selfSigned("receiver.p12", "SAN=ip:127.0.0.1,dns:localhost"));
        serverContext = serving(keys);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(keys);
        trustingThisCertificate = (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** A self-signed key and certificate for CN=localhost with these names; keytool ships with every JDK. */
    private static Path selfSigned(String file, String names) throws Exception {
        Path store = dir.resolve(file);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", names, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        return store;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    private static SSLContext serving(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
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
    void a_webhook_to_a_trusted_certificate_for_another_host_name_is_refused() throws Exception {
        // The JVM trusts this certificate (its trust store holds it, as -Djavax.net.ssl.trustStore makes it do), and
        // it names localhost alone: asked for as 127.0.0.1, the name is all that is wrong.
        Path forLocalhost = selfSigned("for-localhost.p12", "SAN=dns:localhost");
        Map<String, String> jvmTrust = new HashMap<>();
        for (String key : new String[] {"javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword"}) {
            jvmTrust.put(key, System.getProperty(key));
        }
        System.setProperty("javax.net.ssl.trustStore", forLocalhost.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", new String(PASSWORD));
        HttpTransport trusting = new HttpTransport(ActionsSettings.defaults(), Metrics.NOOP);
        try (MockWebServer receiver = new MockWebServer()) {
            receiver.useHttps(serving(load(forLocalhost)).getSocketFactory());
            receiver.start(InetAddress.getByName("127.0.0.1"), 0);
            WebhookExecutor executor = new WebhookExecutor(trusting, ActionsSettings.defaults(), k -> null,
                    Clock.systemUTC());

            ActionResult result = executor.execute(request(new WebhookAction(URI.create("https://127.0.0.1:"
                    + receiver.getPort() + "/hook"), "POST", Map.of(), null, Duration.ofSeconds(10))), TestSpans.NOOP);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).as("a certificate problem is permanent").isTrue();
                assertThat(f.errorType()).isEqualTo("javax.net.ssl.SSLPeerUnverifiedException");
                assertThat(f.message()).contains("TLS certificate not accepted (Hostname 127.0.0.1 not verified")
                        .as("the fix for a name: the one the certificate has, or a certificate for this one")
                        .contains("not retried", "connect by a name the certificate names or have it reissued");
            });
            assertThat(receiver.getRequestCount()).as("requests that got past the check").isZero();

            // By the name the certificate names, the same receiver is reached: the refusal was the name alone.
            receiver.enqueue(new MockResponse.Builder().code(200).build());
            assertThat(executor.execute(request(new WebhookAction(URI.create("https://localhost:"
                    + receiver.getPort() + "/hook"), "POST", Map.of(), null, Duration.ofSeconds(10))), TestSpans.NOOP))
                    .isInstanceOf(ActionResult.Success.class);
        } finally {
            trusting.stop();
            jvmTrust.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
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
