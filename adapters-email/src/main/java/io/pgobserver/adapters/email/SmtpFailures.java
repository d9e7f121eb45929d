package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What an SMTP server's answer means for a mail (RFC 5321): a 5xx reply is permanent and names its fix when the
 * reply says what is wrong, a 4xx reply or a lost connection may pass and is retried. A mail the server took for
 * some recipients and not for others says who has it; it is retried while a recipient was only deferred.
 */
final class SmtpFailures {

    /** Jakarta Mail's message for a greeting other than 220: "Got bad greeting from SMTP host: …, response: 554 …". */
    private static final Pattern GREETING = Pattern.compile("bad greeting.*response: ([45]\\d\\d)");
    private static final String FIX_ADDRESS = "fix or remove the address in the action's to or cc";

    private SmtpFailures() {
    }

    /** The server refused the login: 535 (wrong user or password) is permanent, a 454 may pass. */
    static ActionResult.Failure login(String where, String user, AuthenticationFailedException e) {
        String reply = reply(e);
        boolean tryLater = reply.startsWith("4");
        return new ActionResult.Failure(where + (tryLater ? " could not check the login of user '" : " refused the "
                + "login of user '") + user + "': " + reply + (tryLater ? "" : " (check email.smtp.user and password)"),
                !tryLater, null, e);
    }

    /**
     * @param hadItBefore how many recipients a former attempt reached (this one was not sent to them)
     */
    static ActionResult.Failure of(String where, MessagingException e, int hadItBefore) {
        List<SMTPAddressFailedException> recipients = new ArrayList<>();
        List<Exception> replies = new ArrayList<>();
        for (Exception next = e; next != null;
             next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException address) {
                recipients.add(address);
            } else if (returnCode(next) >= 400) {
                replies.add(next);
            }
        }
        if (!recipients.isEmpty() && replies.isEmpty()) {
            Address[] sent = e instanceof SendFailedException failed ? failed.getValidSentAddresses() : null;
            return recipients(where, e, recipients, sent == null ? new Address[0] : sent, hadItBefore);
        }
        if (!replies.isEmpty()) {
            boolean permanent = replies.stream().anyMatch(r -> returnCode(r) >= 500);
            String texts = replies.stream().map(SmtpFailures::serverReply).collect(Collectors.joining("; "));
            return new ActionResult.Failure(where + (permanent ? " rejected the message: " : " deferred the message: ")
                    + texts + (permanent ? fix(returnCode(replies.getFirst()), texts) : ""), permanent, null, e);
        }
        if (e instanceof SendFailedException failed && failed.getInvalidAddresses() != null
                && failed.getInvalidAddresses().length > 0) {
            return ActionResult.Failure.permanentFailure(where + " rejected the recipients "
                    + Arrays.stream(failed.getInvalidAddresses()).map(Address::toString)
                    .collect(Collectors.joining(", ")) + ": " + reply(e) + " (" + FIX_ADDRESS + ")", e);
        }
        Matcher greeting = GREETING.matcher(reply(e));
        if (greeting.find() && greeting.group(1).startsWith("5")) {
            return ActionResult.Failure.permanentFailure(where + " refused the connection: " + reply(e)
                    + " (it does not take mail from this host: ask its administrator)", e);
        }
        if (reply(e).contains("STARTTLS is required but host does not support STARTTLS")) {
            return ActionResult.Failure.permanentFailure(where + " does not offer STARTTLS, which email.smtp.security: "
                    + "starttls requires (set security: ssl if the server takes TLS from the start, usually on port "
                    + "465; none sends the password and the mail unencrypted)", e);
        }
        String reason = hasIoCause(e) ? "cannot be reached" : "failed";
        return ActionResult.Failure.transientFailure(where + " " + reason + ": " + reply(e), e);
    }

    /** Some recipients refused or deferred: retried while one was only deferred (4xx), else permanent. */
    private static ActionResult.Failure recipients(String where, MessagingException e,
                                                   List<SMTPAddressFailedException> failed, Address[] sent,
                                                   int hadItBefore) {
        List<String> refused = new ArrayList<>();
        List<String> deferred = new ArrayList<>();
        Set<String> fixes = new LinkedHashSet<>();
        for (SMTPAddressFailedException recipient : failed) {
            String said = recipient.getAddress() + " (" + serverReply(recipient) + ")";
            if (recipient.getReturnCode() >= 500) {
                refused.add(said);
                fixes.add(fix(recipient.getReturnCode(), serverReply(recipient)));
            } else {
                deferred.add(said);
            }
        }
        StringBuilder message = new StringBuilder(where);
        if (!refused.isEmpty()) {
            message.append(" refused ").append(String.join(", ", refused)).append(String.join("", fixes));
        }
        if (!deferred.isEmpty()) {
            message.append(refused.isEmpty() ? " deferred " : "; deferred ").append(String.join(", ", deferred));
        }
        if (sent.length > 0) {
            message.append("; the mail went to ").append(Arrays.stream(sent).map(Address::toString)
                    .collect(Collectors.joining(", "))).append(deferred.isEmpty() ? ""
                    : ", and a retry sends it to the others only");
        } else if (hadItBefore > 0) {
            message.append("; the ").append(hadItBefore).append(" other recipient(s) had it from a former attempt");
        } else {
            message.append("; no one was sent the mail");
        }
        return new ActionResult.Failure(message.toString(), deferred.isEmpty(), null, e);
    }

    /** The fix a permanent reply names, in brackets, or "" when it names none. */
    private static String fix(int code, String reply) {
        String text = reply.toLowerCase(Locale.ROOT);
        if (text.contains("starttls")) {
            return " (the server takes mail only over TLS: set email.smtp.security: starttls)";
        }
        if (code == 530 || text.contains("authentication required")) {
            return " (the server takes mail only after a login: set email.smtp.user and email.smtp.password)";
        }
        if (text.contains("relay")) {
            return " (the server does not relay this mail for pg-observer: log in with email.smtp.user and password, "
                    + "or ask its administrator to allow the sender)";
        }
        if (code == 552 || text.contains(" 5.2.2 ")) {
            return " (the mailbox is full, or the mail too large for it: its owner must make room, or " + FIX_ADDRESS
                    + ")";
        }
        if (code == 550 || code == 551 || code == 553 || text.contains(" 5.1.")) {
            return " (" + FIX_ADDRESS + ")";
        }
        if (code == 554) {
            return " (the server's policy refused it, such as a spam filter or a sender it does not take: ask its "
                    + "administrator, or change the sender, from)";
        }
        return "";
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

    /** An SMTP reply as the server wrote it, on one line (its exception's cause is the next reply, told apart). */
    private static String serverReply(Exception e) {
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
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
