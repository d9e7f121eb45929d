package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * The {@code actions:} section: HTTP timeouts and allowed hosts shared by webhook and Slack actions, the email
 * templates folder, and {@code smtp:} for email actions. Always bound: absent keys take their defaults.
 */
final class ActionsSection implements ConfigSection<ActionsSettings> {

    @Override
    public String key() {
        return "actions";
    }

    @Override
    public Class<ActionsSettings> type() {
        return ActionsSettings.class;
    }

    @Override
    public ActionsSettings read(ConfigReader section) {
        ActionsSettings d = ActionsSettings.defaults();
        Duration connect = section.duration("connect_timeout", d.connectTimeout());
        Duration read = section.duration("read_timeout", d.readTimeout());
        LinkedHashSet<String> allowed = new LinkedHashSet<>(section.strings("allowed_hosts"));
        String templates = section.string("templates_dir", d.templatesDir().toString());
        ActionsSettings.Smtp smtp = section.has("smtp") ? smtp(section.child("smtp")) : null;
        if (smtp == null) {
            section.child("smtp");
        }
        section.finish();
        return new ActionsSettings(connect, read, allowed, Path.of(templates), smtp);
    }

    private static ActionsSettings.Smtp smtp(ConfigReader s) {
        ActionsSettings.Smtp smtp = new ActionsSettings.Smtp(s.requiredString("host", "the SMTP server's host name"),
                s.integer("port", 587, 1, 65535), s.string("user", null),
                Secret.ofNullable(s.string("password", null)), s.string("security", "starttls"),
                s.requiredString("from", "the sender address, e.g. pg-observer@example.com"),
                s.duration("timeout", Duration.ofSeconds(30)));
        s.finish();
        return smtp;
    }

    @Override
    public Map<String, Object> render(ActionsSettings a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connect_timeout", a.connectTimeout());
        out.put("read_timeout", a.readTimeout());
        out.put("allowed_hosts", a.allowedHosts().stream().sorted().toList());
        out.put("templates_dir", a.templatesDir());
        if (a.smtp() != null) {
            Map<String, Object> smtp = new LinkedHashMap<>();
            smtp.put("host", a.smtp().host());
            smtp.put("port", a.smtp().port());
            smtp.put("user", a.smtp().user());
            smtp.put("password", a.smtp().password());
            smtp.put("security", a.smtp().security());
            smtp.put("from", a.smtp().from());
            smtp.put("timeout", a.smtp().timeout());
            out.put("smtp", smtp);
        }
        return out;
    }
}
