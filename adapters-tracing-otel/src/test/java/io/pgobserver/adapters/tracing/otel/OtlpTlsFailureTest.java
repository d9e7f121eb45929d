package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS library's words for a failed handshake with a collector, said with the variables that fix it. */
class OtlpTlsFailureTest {

    @Test
    void eachKnownHandshakeFailureNamesItsFix() {
        assertThat(OtlpTlsFailure.words("(certificate_unknown) PKIX path building failed: unable to find valid"
                + " certification path to requested target")).contains("not trusted: set OTEL_EXPORTER_OTLP_CERTIFICATE");
        assertThat(OtlpTlsFailure.words("Hostname collector not verified:")).contains("not for the endpoint's host name");
        assertThat(OtlpTlsFailure.words("No subject alternative names matching IP address 10.0.0.1 found"))
                .contains("not for the endpoint's host name");
        // The JDK's own host name check, the one its HttpClient (the OTLP/HTTP sender) makes.
        assertThat(OtlpTlsFailure.words("(certificate_unknown) No subject alternative DNS name matching collector"
                + " found.")).contains("not for the endpoint's host name");
        assertThat(OtlpTlsFailure.words("(certificate_unknown) No name matching collector found"))
                .contains("not for the endpoint's host name");
        assertThat(OtlpTlsFailure.words("(certificate_required) Received fatal alert: certificate_required"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE");
        assertThat(OtlpTlsFailure.words("Unsupported or unrecognized SSL message"))
                .contains("does not speak TLS at that port: write http://");
        assertThat(OtlpTlsFailure.words("Connection reset")).isNull();
        assertThat(OtlpTlsFailure.words(null)).isNull();
    }

    @Test
    void anExpiredCertificateIsToldToBeRenewedNotToBeTrusted() {
        // The JDK's words when the collector's certificate, issued by a CA it trusts, has expired: a PKIX failure,
        // but a trusted CA is already set, and setting it again fixes nothing.
        String expired = OtlpTlsFailure.words("(certificate_unknown) PKIX path validation failed:"
                + " java.security.cert.CertPathValidatorException: validity check failed");
        assertThat(expired).contains("has expired or is not valid yet").contains("renew")
                .doesNotContain("not trusted");
        assertThat(OtlpTlsFailure.words(null)).isNull();
    }

    @Test
    void aConnectionClosedUnderAnExporterWithNoClientCertificateIsSaidAsTheRefusalItMayBe() {
        // A collector wanting a client certificate closes the connection after the handshake; on a busy machine the
        // exporter's write loses the race with its alert and it sees a broken pipe, which named no variable before.
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("SocketException: Broken pipe"))
                .startsWith("SocketException: Broken pipe; a TLS collector that wants a client certificate")
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("SocketException: Connection reset"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("IOException: unexpected end of stream on https://c"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        // OkHttp over HTTP/2 (the gRPC sender) when the collector closed the connection before the call's stream.
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("ConnectionShutdownException"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        // ... and when its HTTP/2 writer was closed with the connection as the call wrote (seen once in CI).
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("IOException: closed"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("IOException: the span exporter is closed"))
                .as("not every message ending in closed").isEqualTo("IOException: the span exporter is closed");
        // The JDK's TLS socket, written to after the collector's close (seen under load, over gRPC), or closed.
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("SocketException: Connection or outbound has closed"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("SocketException: Socket closed"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        // The JDK's HttpClient's words for the same.
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("IOException: HTTP/1.1 header parser received no"
                + " bytes")).contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("EOFException: EOF reached while reading"))
                .contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate("ConnectException: Failed to connect to /10.0.0.5"))
                .isEqualTo("ConnectException: Failed to connect to /10.0.0.5");
    }
}
