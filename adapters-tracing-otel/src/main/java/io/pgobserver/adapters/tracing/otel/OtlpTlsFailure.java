package io.pgobserver.adapters.tracing.otel;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a failed TLS handshake with an OTLP collector means and which variables fix it, from the TLS library's words:
 * the JDK's (its TLS, and its HttpClient's, the OTLP/HTTP sender) and OkHttp's (the gRPC sender), which say what the
 * handshake tripped on but not which setting of the exporter to change.
 */
final class OtlpTlsFailure {

    private OtlpTlsFailure() {
    }

    /**
     * The words the TLS and HTTP libraries use for a connection the other side closed. OkHttp says "end of stream",
     * or, over HTTP/2 (gRPC), ConnectionShutdownException when the connection was closed before the call's stream
     * could start on it, and "closed" alone when its HTTP/2 writer was closed with it as the call wrote; the JDK's
     * HttpClient "header parser received no bytes" or "EOF reached"; the JDK's TLS socket "Connection or outbound has
     * closed" (a write after the peer's close_notify) or "Socket closed"; the kernel "Broken pipe" or "Connection
     * reset". Which one the exporter sees depends on which side wrote first, so each form must be known, not one.
     */
    private static final Pattern CLOSED_CONNECTION = Pattern.compile("broken pipe|connection reset|end of stream"
            + "|connectionshutdownexception|received no bytes|eof reached|(^|: )closed$"
            + "|\\b(connection|socket|outbound|inbound)\\b[^;]*\\bclosed\\b");

    /**
     * A TLS connection closed under the exporter, with no client certificate set: a collector that wants one (mutual
     * TLS) refuses it after the handshake, and its alert loses the race with the request's write on a busy machine,
     * so the exporter sees one of the words of {@link #CLOSED_CONNECTION} rather than the TLS library's {@code
     * certificate_required}. Said as the possible cause it is.
     *
     * @return {@code because} with that cause and its fix, or as it is when it is no closed connection
     */
    static String closedWithoutClientCertificate(String because) {
        if (because == null || !CLOSED_CONNECTION.matcher(because.toLowerCase(Locale.ROOT)).find()) {
            return because;
        }
        return because + "; a TLS collector that wants a client certificate closes the connection so when given"
                + " none: if it does, set OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE (PEM)"
                + " to a certificate it trusts";
    }

    /** @return the meaning and the fix, or null when the words are none of those known */
    static String words(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        // Before "pkix": an expired certificate fails PKIX validation too, and trusting its CA again fixes nothing.
        if (m.contains("validity check failed") || m.contains("certificateexpired")
                || m.contains("certificatenotyetvalid")) {
            return "the collector's TLS certificate has expired or is not valid yet: renew it (or correct this"
                    + " machine's clock)";
        }
        if (m.contains("pkix") || m.contains("certification path")) {
            return "the collector's TLS certificate is not trusted: set OTEL_EXPORTER_OTLP_CERTIFICATE to the PEM"
                    + " certificate of its CA (or its own, when self-signed)";
        }
        // OkHttp's own check says "Hostname … not verified"; the JDK's (the HttpClient's) "No subject alternative DNS
        // name matching … found", "No subject alternative names matching IP address …" or "No name matching …".
        if (m.contains("not verified") || m.contains("subject alternative") || m.contains("no name matching")) {
            return "the collector's TLS certificate is not for the endpoint's host name: write the name it was issued"
                    + " for in the endpoint, or give the collector a certificate for this one";
        }
        if (m.contains("bad_certificate") || m.contains("certificate_required")) {
            return "the collector refused the TLS handshake, as one that wants a client certificate does: set"
                    + " OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE (PEM) to a certificate"
                    + " it trusts";
        }
        if (m.contains("unrecognized ssl message") || m.contains("plaintext connection")) {
            return "the collector does not speak TLS at that port: write http:// in the endpoint, or point it at the"
                    + " collector's TLS port";
        }
        return null;
    }
}
