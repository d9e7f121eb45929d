package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code database:} section: {@code url} (JDBC, or {@code postgres://user:pass@host:port/db} as
 * {@code DATABASE_URL} usually is), {@code user}, {@code password}. Absent means "not configured"; the commands
 * that run the observer then stop naming the key.
 */
final class DatabaseSection implements ConfigSection<DatabaseSettings> {

    @Override
    public String key() {
        return "database";
    }

    @Override
    public Class<DatabaseSettings> type() {
        return DatabaseSettings.class;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("DATABASE_URL", "url");
    }

    @Override
    public String missing() {
        return "database.url is required: set it in the file or export DATABASE_URL "
                + "(jdbc:postgresql://host:5432/db or postgres://user:pass@host:5432/db)";
    }

    @Override
    public DatabaseSettings read(ConfigReader section) {
        String url = section.string("url", null);
        String user = section.string("user", null);
        String password = section.string("password", null);
        section.finish();
        if (url == null) {
            return null;
        }
        DatabaseSettings fromUrl = parseUrl(section.key("url"), url.trim());
        return new DatabaseSettings(fromUrl.url(), fromUrl.user() != null ? fromUrl.user() : user,
                fromUrl.password() != null ? fromUrl.password() : Secret.ofNullable(password));
    }

    @Override
    public Map<String, Object> render(DatabaseSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", redact(settings.url()));
        out.put("user", settings.user());
        out.put("password", settings.password() == null ? null : Secret.MASK);
        return out;
    }

    /** {@code jdbc:postgresql://host:port/db?user=..&password=..}: the parameters can hold the password. */
    private static String redact(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?" + Secret.MASK;
    }

    /**
     * A {@code postgres://user:pass@host:port/db?params} URL as JDBC URL, user and password. A JDBC URL comes
     * back as it is, with null user and password.
     */
    static DatabaseSettings parseUrl(String key, String url) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseSettings(url, null, null);
        }
        if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) {
            // Say what was written as far as it holds no secret: the scheme, or that there is none.
            int end = url.indexOf("://");
            String scheme = end < 0 ? "" : url.substring(0, end + 3);
            String what = scheme.matches("[A-Za-z][A-Za-z0-9+.:-]*://") ? "starts with " + scheme : "has no scheme";
            throw new IllegalArgumentException(key + " " + what + ": write jdbc:postgresql://host:port/db or "
                    + "postgres://user:pass@host:port/db");
        }
        try {
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                // java.net.URI leaves the host out when the port is not a number: say which, without the password.
                String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
                String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
                int colon = hostPort.lastIndexOf(':');
                if (colon >= 0 && !hostPort.substring(colon + 1).matches("\\d*")) {
                    throw new IllegalArgumentException(key + "'s port is not a number: use "
                            + "postgres://user:pass@host:port/db (such as localhost:5432)");
                }
                throw new IllegalArgumentException(key + " has no host: use postgres://user:pass@host:port/db");
            }
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = percentDecoded(parts[0]);
                password = parts.length > 1 ? percentDecoded(parts[1]) : null;
            }
            String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            return new DatabaseSettings(jdbc, user, Secret.ofNullable(password));
        } catch (URISyntaxException e) {
            // The message would echo the URL, password included.
            throw new IllegalArgumentException(key + " is not a valid URL: use postgres://user:pass@host:port/db");
        }
    }

    /** URL percent-decoding: unlike form decoding, a '+' in a password stays a '+'. */
    private static String percentDecoded(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
