package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code actions:} settings shared by all actions of a kind.
 *
 * @param connectTimeout HTTP connect timeout
 * @param readTimeout    HTTP read timeout
 * @param allowedHosts   when not empty, webhooks may only go to these hosts
 * @param templatesDir   where named email templates live
 * @param smtp           the mail server, or null when no email action is configured
 */
record ActionsSettings(Duration connectTimeout, Duration readTimeout, Set<String> allowedHosts,
                              Path templatesDir, Smtp smtp) {

    public ActionsSettings {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(10) : readTimeout;
        allowedHosts = allowedHosts == null ? Set.of() : Set.copyOf(allowedHosts);
        templatesDir = templatesDir == null ? Path.of("templates") : templatesDir;
    }

    static ActionsSettings defaults() {
        return new ActionsSettings(null, null, null, null, null);
    }

    /**
     * The {@code actions.smtp:} settings.
     *
     * @param security {@code starttls} (default), {@code ssl} or {@code none}
     */
    record Smtp(String host, int port, String user, Secret password, String security, String from,
                       Duration timeout) {
        public static final Set<String> SECURITY = Set.of("starttls", "ssl", "none");

        public Smtp {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("actions.smtp.host must be set for email actions");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("actions.smtp.port must be 1-65535, was " + port);
            }
            security = security == null ? "starttls" : security.toLowerCase(Locale.ROOT);
            if (!SECURITY.contains(security)) {
                throw new IllegalArgumentException("actions.smtp.security '" + security + "' is not one of starttls, ssl, none");
            }
            Objects.requireNonNull(from, "actions.smtp.from");
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
        }
    }
}
