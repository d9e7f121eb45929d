package io.pgobserver.adapters.email;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code email:} section: the templates folder and {@code smtp:}, the mail server. Always bound: an absent
 * section takes the default folder and no server, and only an email action then stops the boot (saying to set
 * {@code email.smtp}).
 */
final class EmailSection implements ConfigSection<EmailSettings> {

    /*
     * Jakarta Mail reads 0 as "no timeout": a server that never answers would hold the action for ever, so 0 and
     * negatives are refused. Under 100 ms a healthy server across a network misses its TLS handshake; over 10
     * minutes one mail waits longer than any retry policy would want to.
     */
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    @Override
    public String key() {
        return "email";
    }

    @Override
    public Class<EmailSettings> type() {
        return EmailSettings.class;
    }

    @Override
    public EmailSettings read(ConfigReader section) {
        String templates = section.string("templates_dir", EmailSettings.DEFAULT_TEMPLATES_DIR.toString());
        EmailSettings.Smtp smtp = section.has("smtp") ? smtp(section.child("smtp")) : null;
        if (smtp == null) {
            // Marks an empty or null smtp: as read, so it is not reported as an unknown key.
            section.child("smtp");
        }
        section.finish();
        return new EmailSettings(Path.of(templates), smtp);
    }

    private static EmailSettings.Smtp smtp(ConfigReader s) {
        EmailSettings.Smtp smtp = new EmailSettings.Smtp(s.requiredString("host", "the SMTP server's host name"),
                s.integer("port", EmailSettings.Smtp.DEFAULT_PORT, 1, 65535), s.string("user", null),
                Secret.ofNullable(s.string("password", null)), s.string("security", "starttls"),
                sender(s), Durations.within(s.key("timeout"),
                        s.duration("timeout", EmailSettings.Smtp.DEFAULT_TIMEOUT), MIN_TIMEOUT, MAX_TIMEOUT,
                        "e.g. 30s"));
        s.finish();
        return smtp;
    }

    /** The default sender, checked here so that a bad one is named by its own key, not by the first action. */
    private static String sender(ConfigReader s) {
        String from = s.requiredString("from", "the sender address, e.g. pg-observer@example.com");
        try {
            new InternetAddress(from, true).validate();
        } catch (AddressException e) {
            throw new IllegalArgumentException(s.key("from") + ": '" + from + "' is not a valid address ("
                    + e.getMessage() + "): write it as pg-observer@example.com or \"pg-observer <pg-observer@example.com>\"");
        }
        return from;
    }

    @Override
    public Map<String, Object> render(EmailSettings e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("templates_dir", e.templatesDir());
        if (e.smtp() != null) {
            Map<String, Object> smtp = new LinkedHashMap<>();
            smtp.put("host", e.smtp().host());
            smtp.put("port", e.smtp().port());
            smtp.put("user", e.smtp().user());
            smtp.put("password", e.smtp().password());
            smtp.put("security", e.smtp().security());
            smtp.put("from", e.smtp().from());
            smtp.put("timeout", e.smtp().timeout());
            out.put("smtp", smtp);
        }
        return out;
    }
}
