package io.pgobserver.adapters.email;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.PreparedActions;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.templates.Templates;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Sends email over SMTP with Jakarta Mail (Eclipse Angus): STARTTLS required ({@code starttls}), SMTPS
 * ({@code ssl}) or plain ({@code none}), with authentication when a user is set. Subject and bodies are Mustache
 * templates, inline or from {@code <templates_dir>/<name>.txt} and {@code .html}; with both bodies the message is
 * multipart/alternative. The span says {@code delivery_status}: {@code delivered}, {@code rejected} (the server
 * refused the login, the sender or a recipient with a 5xx, offers no STARTTLS where it is required, or presents a
 * TLS certificate the JVM does not accept: permanent) or {@code failed} (no connection, a timeout, a 4xx: retried).
 */
@Singleton
final class EmailExecutor implements ActionExecutor {

    static final String DELIVERED = "delivered";
    static final String REJECTED = "rejected";
    static final String FAILED = "failed";
    private static final Pattern TEMPLATE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}");

    private final EmailSettings settings;
    private final MailSender sender;
    private final Clock clock;
    private final PreparedActions<EmailAction, Prepared> prepared =
            new PreparedActions<>(EmailAction.class, this::prepare);

    @Inject
    EmailExecutor(EmailSettings settings) {
        this(settings, Clock.systemUTC());
    }

    EmailExecutor(EmailSettings settings, Clock clock) {
        this.settings = settings;
        this.sender = settings.smtp() == null ? null : new MailSender(settings.smtp());
        this.clock = clock;
    }

    private record Prepared(InternetAddress from, InternetAddress[] to, InternetAddress[] cc, String templateName,
                            Templates.Template subject, Templates.Template text, Templates.Template html) {
    }

    @Override
    public String type() {
        return "email";
    }

    @Override
    public void validate(ActionSpec action) {
        prepared.get(action);
    }

    private Prepared prepare(EmailAction action) {
        if (sender == null) {
            throw new IllegalArgumentException("email actions need the SMTP server: set email.smtp (host, port, "
                    + "from, and user/password when it requires a login)");
        }
        String what = action.describe();
        InternetAddress from = address(action.from() != null ? action.from() : settings.smtp().from(), "from");
        InternetAddress[] to = addresses(action.to(), "to");
        InternetAddress[] cc = addresses(action.cc(), "cc");
        String subjectSource = action.subject() == null || action.subject().isBlank() ? null : action.subject();
        String textSource = action.text();
        String htmlSource = action.html();
        if (action.template() != null) {
            String name = action.template();
            if (!TEMPLATE_NAME.matcher(name).matches() || name.contains("..")) {
                throw new IllegalArgumentException(what + ": template name '" + name + "' must be letters, digits, "
                        + "'_', '-' or '.' (a file name under email.templates_dir, without extension)");
            }
            Path txt = settings.templatesDir().resolve(name + ".txt");
            Path html = settings.templatesDir().resolve(name + ".html");
            Path subjectFile = settings.templatesDir().resolve(name + ".subject");
            if (!Files.isRegularFile(txt) && !Files.isRegularFile(html)) {
                throw new IllegalArgumentException(what + ": template '" + name + "' not found: create " + txt
                        + " and/or " + html + " (or set email.templates_dir)");
            }
            textSource = textSource != null ? textSource : read(txt);
            htmlSource = htmlSource != null ? htmlSource : read(html);
            subjectSource = subjectSource != null ? subjectSource : read(subjectFile);
            if (subjectSource == null) {
                throw new IllegalArgumentException(what + ": no subject: set the action's subject or create "
                        + subjectFile);
            }
        }
        // A subject file's trailing newline is not part of the subject.
        Templates.Template subject = Templates.text(what + ": subject template", subjectSource.strip());
        String label = action.template() != null ? "template '" + action.template() + "'" : "inline";
        return new Prepared(from, to, cc, action.template() != null ? action.template() : "inline", subject,
                textSource == null ? null : Templates.text(what + ": text body (" + label + ")", textSource),
                htmlSource == null ? null : Templates.html(what + ": html body (" + label + ")", htmlSource));
    }

    private static String read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read email template " + file + ": " + e.getMessage(), e);
        }
    }

    private static InternetAddress address(String address, String field) {
        try {
            return new InternetAddress(address, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("email '" + field + "' address '" + address + "' is not valid: "
                    + e.getMessage(), e);
        }
    }

    private static InternetAddress[] addresses(List<String> addresses, String field) {
        return addresses.stream().map(a -> address(a, field)).toArray(InternetAddress[]::new);
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        Prepared mail;
        try {
            mail = prepared.get(request.action());
        } catch (IllegalArgumentException e) {
            return ActionResult.Failure.permanentFailure(e.getMessage(), null);
        }
        boolean recording = span.isRecording();
        if (recording) {
            span.setAttribute("action_type", "email")
                    .setAttribute("recipient_count", mail.to().length + mail.cc().length)
                    .setAttribute("template_name", mail.templateName())
                    .setAttribute("server.address", settings.smtp().host())
                    .setAttribute("server.port", settings.smtp().port());
        }
        MimeMessage message;
        try {
            message = compose(request, mail);
        } catch (Templates.TemplateException e) {
            return status(span, FAILED, ActionResult.Failure.permanentFailure(e.getMessage(), e));
        } catch (MessagingException e) {
            return status(span, FAILED, ActionResult.Failure.permanentFailure(
                    "email could not be composed: " + e.getMessage(), e));
        }
        ActionResult result = sender.send(message, request.doneParts());
        String status = result instanceof ActionResult.Success ? DELIVERED
                : ((ActionResult.Failure) result).permanent() ? REJECTED : FAILED;
        return status(span, status, result);
    }

    private static ActionResult status(Span span, String status, ActionResult result) {
        if (span.isRecording()) {
            span.setAttribute("delivery_status", status);
        }
        return result;
    }

    private MimeMessage compose(ActionRequest request, Prepared mail)
            throws MessagingException, Templates.TemplateException {
        Map<String, Object> context = request.templateContext();
        MimeMessage message = new DeliveryMessage(sender.session(), request.deliveryId());
        message.setFrom(mail.from());
        message.setRecipients(Message.RecipientType.TO, mail.to());
        if (mail.cc().length > 0) {
            message.setRecipients(Message.RecipientType.CC, mail.cc());
        }
        // A subject is one header line: line breaks from the data must not start new headers.
        message.setSubject(mail.subject().render(context).replaceAll("[\\r\\n]+", " ").strip(), "UTF-8");
        message.setSentDate(Date.from(clock.instant()));
        String text = mail.text() == null ? null : mail.text().render(context);
        String html = mail.html() == null ? null : mail.html().render(context);
        if (text != null && html != null) {
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(text, "UTF-8");
            MimeBodyPart htmlPart = new MimeBodyPart();
            htmlPart.setText(html, "UTF-8", "html");
            message.setContent(new MimeMultipart("alternative", textPart, htmlPart));
        } else if (html != null) {
            message.setText(html, "UTF-8", "html");
        } else {
            message.setText(text, "UTF-8");
        }
        message.saveChanges();
        return message;
    }

    /**
     * A message whose {@code Message-ID} is derived from the delivery id, so a retried or replayed email carries
     * the same id and mail systems can recognise the duplicate.
     */
    private static final class DeliveryMessage extends MimeMessage {
        private final String deliveryId;

        DeliveryMessage(Session session, String deliveryId) {
            super(session);
            this.deliveryId = deliveryId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", "<" + deliveryId.replaceAll("[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]", "_")
                    + "@pg-observer>");
        }
    }
}
