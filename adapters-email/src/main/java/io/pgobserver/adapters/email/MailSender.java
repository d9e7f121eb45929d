package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.DoneParts;
import io.pgobserver.sockets.NoDelaySockets;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * One SMTP server ({@code email.smtp}): the Jakarta Mail session, and a mail's recipients sent once each across its
 * attempts. What the server answered is classified by {@link SmtpFailures}.
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
        // Recipients the server takes get the mail though it refuses or defers another: one mistyped or full
        // mailbox must not keep an alert from everyone else. The delivery's done parts keep a retry from repeating it.
        props.setProperty("mail.smtp.sendpartial", "true");
        // An object, not a class name: Mail takes either, and an object needs no public constructor to be found.
        props.put("mail.smtp.socketFactory", new NoDelaySockets());
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

    /**
     * Sends the mail to its recipients the server has not taken it for yet (a former attempt may have reached some,
     * in this process or another: {@code done} knows them, each by its address in lower case, as mail systems compare
     * them): with {@code mail.smtp.sendpartial}, recipients the server takes get the mail even when it refuses or
     * defers others, and are noted in {@code done}. Only the server's answer to the end of the message says it took
     * the mail: when that answer does not come (a timeout, a connection lost), nobody is noted, and the retry sends to
     * them again, with the same {@code Message-ID} (at least once, as webhooks are).
     */
    ActionResult send(MimeMessage message, DoneParts done) {
        String where = "SMTP " + smtp.host() + ":" + smtp.port();
        Transport transport = null;
        Address[] all = new Address[0];
        Address[] remaining = all;
        try {
            all = message.getAllRecipients();
            Set<String> reached = done.of(Arrays.stream(all).map(MailSender::part).toList());
            remaining = Arrays.stream(all).filter(r -> !reached.contains(part(r))).toArray(Address[]::new);
            if (remaining.length == 0) {
                return ActionResult.success("email accepted by " + where + " in a former attempt");
            }
            transport = session.getTransport("smtp");
            String user = smtp.user() == null || smtp.user().isBlank() ? null : smtp.user();
            String password = user == null || smtp.password() == null ? null : smtp.password().reveal();
            transport.connect(smtp.host(), smtp.port(), user, password);
            transport.sendMessage(message, remaining);
            return ActionResult.success("email accepted by " + where + (remaining.length == all.length ? ""
                    : " for the " + remaining.length + " recipient(s) a former attempt did not reach"));
        } catch (DoneParts.Unknown e) {
            return ActionResult.Failure.transientFailure("email not sent: " + e.getMessage() + " (which recipients"
                    + " a former attempt reached); retried, so that none gets the mail twice", e);
        } catch (AuthenticationFailedException e) {
            return SmtpFailures.login(where, smtp.user(), e);
        } catch (MessagingException e) {
            if (e instanceof SendFailedException failed && failed.getValidSentAddresses() != null) {
                done.add(Arrays.stream(failed.getValidSentAddresses()).map(MailSender::part).toList());
            }
            return SmtpFailures.of(where, e, all.length - remaining.length);
        } finally {
            closeQuietly(transport);
        }
    }

    /** A recipient as a part of the delivery: mail systems compare addresses without regard to case. */
    private static String part(Address address) {
        String text = address instanceof InternetAddress internet ? internet.getAddress() : address.toString();
        return text.toLowerCase(Locale.ROOT);
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
}
