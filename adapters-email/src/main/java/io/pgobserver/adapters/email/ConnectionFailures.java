package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import jakarta.mail.MessagingException;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;

/**
 * A mail that got no SMTP reply to classify: the TLS certificate was not accepted (permanent, as for webhooks and
 * Slack: a retry cannot change a certificate), or the connection failed or timed out (retried). Its
 * {@code error.type} is named as the webhooks' is: {@code timeout}, else the class of the I/O error underneath
 * ({@code java.net.ConnectException}, not the mail library's wrapper of it).
 */
final class ConnectionFailures {

    private ConnectionFailures() {
    }

    static ActionResult.Failure of(String where, MessagingException e) {
        Throwable certificate = certificateFailure(e);
        if (certificate != null) {
            return new ActionResult.Failure(where + ": TLS certificate not accepted (" + certificate.getMessage()
                    + "); not retried: the server must present a certificate the JVM trusts for its name, or the JVM "
                    + "must trust the authority that signed it (-Djavax.net.ssl.trustStore in JAVA_OPTS)", true, null,
                    e, certificate.getClass().getName());
        }
        if (has(e, SocketTimeoutException.class)) {
            return new ActionResult.Failure(where + " timed out: " + SmtpFailures.reply(e), false, null, e, "timeout");
        }
        IOException io = rootIoFailure(e);
        return new ActionResult.Failure(where + (io == null ? " failed: " : " cannot be reached: ")
                + SmtpFailures.reply(e), false, null, e, io == null ? null : io.getClass().getName());
    }

    /** The handshake's refusal of the server's certificate (untrusted, expired, for another name), or null. */
    private static Throwable certificateFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLPeerUnverifiedException
                    || t instanceof SSLHandshakeException && has(t, CertificateException.class)) {
                return t;
            }
        }
        return null;
    }

    /** The innermost I/O error: the mail library wraps the socket's own (a refused connection) in one of its own. */
    private static IOException rootIoFailure(Throwable e) {
        IOException root = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                root = io;
            }
        }
        return root;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
