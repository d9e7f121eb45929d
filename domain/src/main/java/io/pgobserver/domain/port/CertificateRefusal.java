package io.pgobserver.domain.port;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.CertificateException;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS connection refused over the other side's certificate: no authority the JVM trusts signed it (self-signed, a
 * private CA), it has expired, or it is for another host name. It is the one rule by which the actions that trust
 * what the JVM trusts (webhooks and Slack, email) tell it from a network failure, so each says it in the same words
 * with the same fix; and it is permanent, since a retry cannot change a certificate.
 *
 * <p>The JDK refuses the first two in the handshake, with a {@link CertificateException} underneath; a host name is
 * refused there too when the client asks the JDK to check it (the mail library), or after the handshake by a client
 * that checks it itself (OkHttp's {@link SSLPeerUnverifiedException}). A handshake that failed otherwise (a reset,
 * no protocol in common) is not one: it may be the network.
 *
 * @param refusal the exception that refused the certificate, whose message is the reason the JDK or client gave
 */
public record CertificateRefusal(SSLException refusal) {

    /** What to do, for every cause: which one it is, the reason in the message says. */
    public static final String FIX = "the server must present a certificate that is valid now, names the host "
            + "connected to, and is signed by an authority the JVM trusts: renew an expired one; for another name, "
            + "connect by a name the certificate names or have it reissued for this one; for a self-signed "
            + "certificate or a private CA, add that CA (or the certificate itself) to a trust store and start "
            + "pg-observer with -Djavax.net.ssl.trustStore=FILE -Djavax.net.ssl.trustStorePassword=PASSWORD (in "
            + "JAVA_OPTS for bin/pg-observer, before -jar for the jar)";

    public CertificateRefusal {
        Objects.requireNonNull(refusal, "refusal");
    }

    /** The refusal of a certificate among {@code failure} and its causes, or empty when it failed otherwise. */
    public static Optional<CertificateRefusal> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLPeerUnverifiedException
                    || t instanceof SSLHandshakeException && causedBy(t, CertificateException.class)) {
                return Optional.of(new CertificateRefusal((SSLException) t));
            }
        }
        return Optional.empty();
    }

    /**
     * The action's permanent failure: {@code WHERE: TLS certificate not accepted (REASON); not retried: FIX}, its
     * {@code error.type} the refusal's class.
     *
     * @param cause the failure as the client reported it, kept whole for the log
     */
    public ActionResult.Failure failure(String where, Throwable cause) {
        return new ActionResult.Failure(where + ": TLS certificate not accepted (" + reason() + "); not retried: "
                + FIX, true, null, cause, refusal.getClass().getName());
    }

    /** The reason the JDK or client gave, on one line, for an action that words its own fix (Kafka's settings). */
    public String reason() {
        // OkHttp's reason for a host name spans lines (the certificate's names): one line reads better in a log.
        return String.valueOf(refusal.getMessage()).replaceAll("\\s*\\R\\s*", " ");
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
