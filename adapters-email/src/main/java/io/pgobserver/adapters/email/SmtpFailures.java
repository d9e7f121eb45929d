package io.pgobserver.adapters.email;

import io.pgobserver.domain.port.ActionResult;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

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
 * some recipients and not for others says who has it; it is retried while a recipient was only deferred. The
 * failure's {@code error.type} is the reply code that decided it ({@code 550}, {@code 421}), as a webhook's is the
 * HTTP status: low in cardinality, and it says what happened. A mail that got no reply is {@link ConnectionFailures}'.
 */
final class SmtpFailures {

    /** Jakarta Mail's message for a greeting other than 220: "Got bad greeting from SMTP host: …, response: 554 …". */
    private static final Pattern GREETING = Pattern.compile("bad greeting.*response: ([45]\\d\\d)");
    /** The code a reply starts with, such as the 535 of "535 5.7.8 Authentication credentials invalid". */
    private static final Pattern REPLY_CODE = Pattern.compile("([45]\\d\\d)[ -]");
    private static final String FIX_ADDRESS = "fix or remove the address in the action's to or cc";

    private SmtpFailures() {
    }

    /** The server refused the login: 535 (wrong user or password) is permanent, a 454 may pass. */
    static ActionResult.Failure login(String where, String user, AuthenticationFailedException e) {
        String reply = reply(e);
        boolean tryLater = reply.startsWith("4");
        Matcher code = REPLY_CODE.matcher(reply);
        return new ActionResult.Failure(where + (tryLater ? " could not check the login of user '" : " refused the "
                + "login of user '") + user + "': " + reply + (tryLater ? "" : " (check email.smtp.user and password)"),
                !tryLater, null, e, code.lookingAt() ? code.group(1) : null);
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
        if (!replies.isEmpty()) {
            return message(where, e, recipients, replies);
        }
        if (!recipients.isEmpty()) {
            Address[] sent = e instanceof SendFailedException failed ? failed.getValidSentAddresses() : null;
            return recipients(where, e, recipients, sent == null ? new Address[0] : sent, hadItBefore);
        }
        if (e instanceof SendFailedException failed && failed.getInvalidAddresses() != null
                && failed.getInvalidAddresses().length > 0) {
            return ActionResult.Failure.permanentFailure(where + " rejected the recipients "
                    + Arrays.stream(failed.getInvalidAddresses()).map(Address::toString)
                    .collect(Collectors.joining(", ")) + ": " + reply(e) + " (" + FIX_ADDRESS + ")", e);
        }
        Matcher greeting = GREETING.matcher(reply(e));
        if (greeting.find()) {
            boolean refused = greeting.group(1).startsWith("5");
            return new ActionResult.Failure(where + (refused ? " refused the connection: " : " failed: ") + reply(e)
                    + (refused ? " (it does not take mail from this host: ask its administrator)" : ""), refused,
                    null, e, greeting.group(1));
        }
        if (reply(e).contains("STARTTLS is required but host does not support STARTTLS")) {
            return ActionResult.Failure.permanentFailure(where + " does not offer STARTTLS, which email.smtp.security: "
                    + "starttls requires (set security: ssl if the server takes TLS from the start, usually on port "
                    + "465; none sends the password and the mail unencrypted)", e);
        }
        return ConnectionFailures.of(where, e);
    }

    /**
     * The server answered the message itself (the sender, or the end of DATA) with a 4xx or 5xx, maybe after
     * refusing some recipients: both are named, and the message's reply decides whether it is retried.
     */
    private static ActionResult.Failure message(String where, MessagingException e,
                                                List<SMTPAddressFailedException> failed, List<Exception> replies) {
        boolean permanent = replies.stream().anyMatch(r -> returnCode(r) >= 500);
        int code = replies.stream().mapToInt(SmtpFailures::returnCode).filter(c -> c >= 500 == permanent)
                .findFirst().orElseThrow();
        String texts = replies.stream().map(SmtpFailures::serverReply).collect(Collectors.joining("; "));
        String recipients = failed.isEmpty() ? "" : Recipients.of(failed).said() + ", and";
        return new ActionResult.Failure(where + recipients + (permanent ? " rejected the message: "
                : " deferred the message: ") + texts + (permanent ? fix(code, texts) : ""), permanent, null, e,
                Integer.toString(code));
    }

    /** Some recipients refused or deferred: retried while one was only deferred (4xx), else permanent. */
    private static ActionResult.Failure recipients(String where, MessagingException e,
                                                   List<SMTPAddressFailedException> failed, Address[] sent,
                                                   int hadItBefore) {
        Recipients said = Recipients.of(failed);
        StringBuilder message = new StringBuilder(where).append(said.said());
        if (sent.length > 0) {
            message.append("; the mail went to ").append(Arrays.stream(sent).map(Address::toString)
                    .collect(Collectors.joining(", "))).append(said.deferred() ? ", and a retry sends it to the others "
                    + "only" : "");
        } else if (hadItBefore > 0) {
            message.append("; the ").append(hadItBefore).append(" other recipient(s) had it from a former attempt");
        } else {
            message.append("; no one was sent the mail");
        }
        return new ActionResult.Failure(message.toString(), !said.deferred(), null, e, Integer.toString(said.code()));
    }

    /**
     * What the server answered the recipients it did not take, in words ({@code " refused a (550 …) (fix);
     * deferred b (452 …)"}), whether one was only deferred, and the reply code that decides a retry: the first
     * deferral's, else the first refusal's.
     */
    private record Recipients(String said, boolean deferred, int code) {

        static Recipients of(List<SMTPAddressFailedException> failed) {
            List<String> refused = new ArrayList<>();
            List<String> deferred = new ArrayList<>();
            Set<String> fixes = new LinkedHashSet<>();
            int refusedCode = 0;
            int deferredCode = 0;
            for (SMTPAddressFailedException recipient : failed) {
                String said = recipient.getAddress() + " (" + serverReply(recipient) + ")";
                int code = recipient.getReturnCode();
                if (code >= 500) {
                    refused.add(said);
                    fixes.add(fix(code, serverReply(recipient)));
                    refusedCode = refusedCode == 0 ? code : refusedCode;
                } else {
                    deferred.add(said);
                    deferredCode = deferredCode == 0 ? code : deferredCode;
                }
            }
            StringBuilder text = new StringBuilder();
            if (!refused.isEmpty()) {
                text.append(" refused ").append(String.join(", ", refused)).append(String.join("", fixes));
            }
            if (!deferred.isEmpty()) {
                text.append(refused.isEmpty() ? " deferred " : "; deferred ").append(String.join(", ", deferred));
            }
            return new Recipients(text.toString(), !deferred.isEmpty(),
                    deferred.isEmpty() ? refusedCode : deferredCode);
        }
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

    /** An SMTP reply as the server wrote it, on one line (its exception's cause is the next reply, told apart). */
    private static String serverReply(Exception e) {
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip();
    }

    /** The server's reply or the exception's message, on one line. */
    static String reply(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && !message.contains(e.getCause().getMessage())) {
            message += " (" + e.getCause().getMessage() + ")";
        }
        return message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
