package io.pgobserver.domain.observer;

import java.util.Objects;

/**
 * A value that must never be printed: passwords, tokens, webhook secrets. {@link #toString()} masks it, so
 * a secret that slips into a log line, a span or an exception message shows as {@code ****}.
 */
public record Secret(String value) {

    public static final String MASK = "****";

    public Secret {
        Objects.requireNonNull(value, "secret value");
    }

    public static Secret ofNullable(String value) {
        return value == null || value.isEmpty() ? null : new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }
}
