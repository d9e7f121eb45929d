package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * One SMTP server ({@code email.smtp}): the Jakarta Mail session and the classification of what the server
 * answered. A 5xx reply or a refused login is permanent; a 4xx reply or a connection problem may pass.
 */
final class MailSender {

    private static final Logger LOG = LoggerFactory.getLogger(MailSender.class);

    private final EmailSettings.Smtp smtp;
    private final Session session;

    MailSender(EmailSettings.Smtp smtp) {
        this.smtp = smtp;
        this.session = Session.getInstance(properties(smtp));
    }

    Session session() {
        return session;
    }

    private static Properties properties(EmailSettings.Smtp smtp) {
        Properties props = new Properties();
        String timeout = Long.toString(smtp.timeout().toMillis());
        props.setProperty("mail.transport.protocol", "smtp");
        props.setProperty("mail.smtp.host", smtp.host());
        props.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
        props.setProperty("mail.smtp.connectiontimeout", timeout);
        props.setProperty("mail.smtp.timeout", timeout);
        props.setProperty("mail.smtp.writetimeout", timeout);
        props.setProperty("mail.smtp.auth", Boolean.toString(smtp.user() != null && !smtp.user().isBlank()));
        props.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        switch (smtp.security()) {
            case "starttls" -> {
                props.setProperty("mail.smtp.starttls.enable", "true");
                props.setProperty("mail.smtp.starttls.required", "true");
            }
            case "ssl" -> props.setProperty("mail.smtp.ssl.enable", "true");
            default -> props.setProperty("mail.smtp.starttls.enable", "false");
        }
        return props;
    }

    ActionResult send(MimeMessage message) {
        String where = "SMTP " + smtp.host() + ":" + smtp.port();
        Transport transport = null;
        try {
            transport = session.getTransport("smtp");
            String user = smtp.user() == null || smtp.user().isBlank() ? null : smtp.user();
            String password = user == null || smtp.password() == null ? null : smtp.password().reveal();
            transport.connect(smtp.host(), smtp.port(), user, password);
            transport.sendMessage(message, message.getAllRecipients());
            return ActionResult.success("email accepted by " + where);
        } catch (AuthenticationFailedException e) {
            return ActionResult.Failure.permanentFailure(where + " refused the login of user '" + smtp.user()
                    + "': " + reply(e) + " (check email.smtp.user and password)", e);
        } catch (MessagingException e) {
            return classify(where, e);
        } finally {
            closeQuietly(transport);
        }
    }

    /** Once the server accepted the message, a failing QUIT must not turn the delivery into a retry. */
    private static void closeQuietly(Transport transport) {
        if (transport == null) {
            return;
        }
        try {
            transport.close();
        } catch (MessagingException e) {
            LOG.debug("closing the SMTP connection failed: {}", e.getMessage());
        }
    }

    private static ActionResult.Failure classify(String where, MessagingException e) {
        List<String> replies = new ArrayList<>();
        boolean permanent = false;
        boolean smtpReply = false;
        for (Exception next = e; next != null;
             next = next instanceof MessagingException m ? m.getNextException() : null) {
            int code = returnCode(next);
            if (code > 0) {
                smtpReply = true;
                permanent |= code >= 500;
                replies.add(reply(next));
            }
        }
        if (!smtpReply && e instanceof SendFailedException failed && hasAny(failed.getInvalidAddresses())) {
            return ActionResult.Failure.permanentFailure(where + " rejected the recipients "
                    + join(failed.getInvalidAddresses()) + ": " + reply(e), e);
        }
        if (smtpReply) {
            String message = where + (permanent ? " rejected the message: " : " deferred the message: ")
                    + String.join("; ", replies);
            return new ActionResult.Failure(message, permanent, null, e);
        }
        String reason = hasIoCause(e) ? "cannot be reached" : "failed";
        return ActionResult.Failure.transientFailure(where + " " + reason + ": " + reply(e), e);
    }

    private static int returnCode(Exception e) {
        return switch (e) {
            case SMTPAddressFailedException a -> a.getReturnCode();
            case SMTPSenderFailedException s -> s.getReturnCode();
            case SMTPSendFailedException s -> s.getReturnCode();
            default -> -1;
        };
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasAny(Address[] addresses) {
        return addresses != null && addresses.length > 0;
    }

    private static String join(Address[] addresses) {
        return Arrays.stream(addresses).map(Address::toString).collect(Collectors.joining(", "));
    }

    /** The server's reply or the exception's message, on one line. */
    private static String reply(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && !message.contains(e.getCause().getMessage())) {
            message += " (" + e.getCause().getMessage() + ")";
        }
        return message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
