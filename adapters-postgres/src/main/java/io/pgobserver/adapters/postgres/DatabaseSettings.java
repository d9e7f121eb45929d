package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.observer.Secret;

/**
 * The {@code database:} settings.
 *
 * @param url      a JDBC URL ({@code jdbc:postgresql://host:port/db}); a {@code postgres://} URL is
 *                 converted by {@link DatabaseSection}
 * @param user     the user, or null
 * @param password the password, or null
 */
record DatabaseSettings(String url, String user, Secret password) {

    DatabaseSettings {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database.url must be a jdbc:postgresql: URL (or set DATABASE_URL)");
        }
    }
}
