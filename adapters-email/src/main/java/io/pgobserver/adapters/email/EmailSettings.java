package io.pgobserver.adapters.email;

import io.pgobserver.domain.observer.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code email:} settings shared by every email action.
 *
 * @param templatesDir where named email templates live
 * @param smtp         the mail server, or null when none is configured (email actions then stop the boot)
 */
record EmailSettings(Path templatesDir, Smtp smtp) {

    static final Path DEFAULT_TEMPLATES_DIR = Path.of("templates");

    EmailSettings {
        templatesDir = templatesDir == null ? DEFAULT_TEMPLATES_DIR : templatesDir;
    }

    /**
     * The {@code email.smtp:} settings.
     *
     * @param security {@code starttls} (default), {@code ssl} or {@code none}
     */
    record Smtp(String host, int port, String user, Secret password, String security, String from,
                Duration timeout) {
        static final int DEFAULT_PORT = 587;
        static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
        static final Set<String> SECURITY = Set.of("starttls", "ssl", "none");

        Smtp {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("email.smtp.host must be set for email actions");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("email.smtp.port must be 1-65535, was " + port);
            }
            security = security == null ? "starttls" : security.toLowerCase(Locale.ROOT);
            if (!SECURITY.contains(security)) {
                throw new IllegalArgumentException("email.smtp.security '" + security
                        + "' is not one of starttls, ssl, none");
            }
            Objects.requireNonNull(from, "email.smtp.from");
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        }
    }
}
