package io.pgobserver.domain.port;

import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one rule for a refused certificate, on the shapes the JDK and the clients give it (the real ones are in
 * adapters-actions' {@code TlsVerificationIT} and adapters-email's {@code SmtpTlsIT}).
 */
class CertificateRefusalTest {

    private static SSLHandshakeException handshake(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    @Test
    void anUntrustedExpiredOrMisnamedCertificateIsRefusedWhereverItSitsInTheCauses() {
        SSLHandshakeException untrusted = handshake("PKIX path building failed",
                new CertificateException("unable to find valid certification path to requested target"));
        SSLHandshakeException expired = handshake("PKIX path validation failed",
                new CertificateException("validity check failed", new CertificateExpiredException("NotAfter")));
        SSLHandshakeException misnamedInTheHandshake = handshake("No subject alternative names matching IP address",
                new CertificateException("No subject alternative names matching IP address 127.0.0.1 found"));
        SSLPeerUnverifiedException misnamedAfterIt = new SSLPeerUnverifiedException("Hostname 127.0.0.1 not verified");
        for (Exception refused : new Exception[] {untrusted, expired, misnamedInTheHandshake, misnamedAfterIt}) {
            // As a mail library has it: its own exception wrapping the socket's.
            Exception wrapped = new Exception("Could not connect to SMTP host", new IOException(refused));
            assertThat(CertificateRefusal.in(wrapped)).as(refused.getMessage())
                    .hasValueSatisfying(r -> assertThat(r.refusal()).isSameAs(refused));
        }
    }

    @Test
    void aHandshakeThatFailedOtherwiseIsNoRefusal() {
        assertThat(CertificateRefusal.in(new SSLHandshakeException("Remote host terminated the handshake"))).isEmpty();
        assertThat(CertificateRefusal.in(new IOException("unexpected end of stream"))).isEmpty();
        assertThat(CertificateRefusal.in(null)).isEmpty();
    }

    @Test
    void itsFailureIsPermanentOnOneLineAndNamesTheFixForEachCause() {
        SSLPeerUnverifiedException misnamed = new SSLPeerUnverifiedException("Hostname 127.0.0.1 not verified:\n"
                + "    certificate: sha256/abc=\n    DN: CN=localhost\n    subjectAltNames: [localhost]");
        IOException thrown = new IOException("call failed", misnamed);

        ActionResult.Failure failure = CertificateRefusal.in(thrown).orElseThrow().failure("webhook POST h", thrown);

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.cause()).isSameAs(thrown);
        assertThat(failure.errorType()).isEqualTo("javax.net.ssl.SSLPeerUnverifiedException");
        assertThat(failure.message()).isEqualTo("webhook POST h: TLS certificate not accepted (Hostname 127.0.0.1 not "
                        + "verified: certificate: sha256/abc= DN: CN=localhost subjectAltNames: [localhost]); not "
                        + "retried: " + CertificateRefusal.FIX)
                .contains("renew an expired one", "connect by a name the certificate names",
                        "-Djavax.net.ssl.trustStore=FILE", "JAVA_OPTS");
    }
}
