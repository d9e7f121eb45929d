package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CertificateRefusal;
import jakarta.mail.MessagingException;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * A mail that got no SMTP reply to classify: the TLS certificate was not accepted (permanent, by the same rule and
 * in the same words as for webhooks and Slack: {@link CertificateRefusal}), or the connection failed or timed out
 * (retried). Its {@code error.type} is named as the webhooks' is: {@code timeout}, else the class of the I/O error
 * underneath ({@code java.net.ConnectException}, not the mail library's wrapper of it).
 */
final class ConnectionFailures {

    private ConnectionFailures() {
    }

    static ActionResult.Failure of(String where, MessagingException e) {
        Optional<CertificateRefusal> certificate = CertificateRefusal.in(e);
        if (certificate.isPresent()) {
            return certificate.get().failure(where, e);
        }
        if (has(e, SocketTimeoutException.class)) {
            return new ActionResult.Failure(where + " timed out: " + SmtpFailures.reply(e), false, null, e, "timeout");
        }
        IOException io = rootIoFailure(e);
        return new ActionResult.Failure(where + (io == null ? " failed: " : " cannot be reached: ")
                + SmtpFailures.reply(e), false, null, e, io == null ? null : io.getClass().getName());
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
