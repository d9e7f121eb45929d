package io.pgobserver.adapters.email;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CertificateRefusal;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestSpans;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SMTP server's certificate is verified over SMTPS and STARTTLS alike, and one the JVM does not accept
 * (self-signed, expired, for another name) is a permanent failure that names the fix, as for webhooks and Slack: a
 * retry cannot change a certificate. The JVM here trusts a test CA, as {@code -Djavax.net.ssl.trustStore} makes it
 * do, and a certificate of that CA for the server's name is accepted: the refusals are the verification.
 */
class SmtpTlsIT {

    @TempDir
    static Path dir;
    private static TestCertificates certificates;
    private static SSLContext jvmDefault;

    private final RecordingTracer tracer = new RecordingTracer();

    @BeforeAll
    static void trustTheTestCa() throws Exception {
        certificates = TestCertificates.create(dir);
        jvmDefault = SSLContext.getDefault();
        SSLContext.setDefault(certificates.trustingTheCa());
    }

    @AfterAll
    static void restoreTheJvmsTrust() {
        SSLContext.setDefault(jvmDefault);
    }

    private static ActionResult send(ScriptedSmtpServer server, String host, ScriptedSmtpServer.Tls tls,
                                     Span span) {
        EmailSettings settings = new EmailSettings(dir, new EmailSettings.Smtp(host, server.port(), null,
                Secret.ofNullable(null), tls == ScriptedSmtpServer.Tls.SMTPS ? "ssl" : "starttls",
                "pg-observer@example.com", Duration.ofSeconds(20)));
        EmailAction action = new EmailAction(List.of("ops@example.com"), null, null, "s", null, "t", null);
        return new EmailExecutor(settings).execute(new ActionRequest(Events.event(1, "1", ChangeKind.CREATED, null,
                Map.of("id", 1)), "o", action, 0, 1, "tls-" + tls + "-" + host), span);
    }

    @Test
    void aCertificateTheJvmDoesNotAcceptIsPermanentAndNamesTheFix() throws Exception {
        record Case(String what, KeyStore certificate, String host, String jdkSays) {
        }
        List<Case> cases = List.of(
                new Case("self-signed", certificates.selfSigned(), "localhost", "unable to find valid certification "
                        + "path"),
                new Case("expired", certificates.expired(), "localhost", "validity check failed"),
                new Case("for another name", certificates.forLocalhost(), "127.0.0.1", "No subject alternative "
                        + "names matching IP address 127.0.0.1"));
        for (ScriptedSmtpServer.Tls tls : ScriptedSmtpServer.Tls.values()) {
            for (Case refused : cases) {
                try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.acceptingAll(),
                        certificates.server(refused.certificate()), tls)) {
                    RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

                    ActionResult result = send(server, refused.host(), tls, span);

                    assertThat(result).as(tls + " " + refused.what()).isInstanceOfSatisfying(ActionResult.Failure.class,
                            f -> {
                                assertThat(f.permanent()).as(f.message()).isTrue();
                                assertThat(f.message()).startsWith("SMTP " + refused.host() + ":" + server.port()
                                                + ": TLS certificate not accepted (")
                                        .contains(refused.jdkSays(), "; not retried: " + CertificateRefusal.FIX)
                                        .as("the same words as for webhooks and Slack, naming the fix for each cause")
                                        .contains("renew an expired one", "connect by a name the certificate names",
                                                "-Djavax.net.ssl.trustStore=FILE", "JAVA_OPTS");
                                assertThat(f.errorType()).isEqualTo("javax.net.ssl.SSLHandshakeException");
                            });
                    assertThat(span.attributes()).containsEntry("delivery_status", "rejected");
                    assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
                }
            }
        }
    }

    @Test
    void aCertificateTheJvmTrustsForTheServersNameIsAccepted() throws Exception {
        for (ScriptedSmtpServer.Tls tls : ScriptedSmtpServer.Tls.values()) {
            try (ScriptedSmtpServer server = new ScriptedSmtpServer(ScriptedSmtpServer.Script.acceptingAll(),
                    certificates.server(certificates.forLocalhost()), tls)) {
                ActionResult result = send(server, "localhost", tls, TestSpans.NOOP);

                assertThat(result).as(tls.toString()).isInstanceOf(ActionResult.Success.class);
                assertThat(server.deliveries()).containsExactly(List.of("ops@example.com"));
            }
        }
    }
}
