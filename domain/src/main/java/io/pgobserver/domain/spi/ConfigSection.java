package io.pgobserver.domain.spi;

import java.util.List;
import java.util.Map;

/**
 * A top-level section of the configuration owned by an adapter, as OpenTelemetry's autoconfigure SPI lets each
 * exporter read its own properties: the core never names the section's keys. An adapter declares its sections
 * in {@link Adapter#sections()}; at boot the core hands each one its mapping, binds the settings it returns in the
 * injector under {@link #type()}, and prints {@link #render} in {@code check-config}.
 *
 * @param <T> the settings record, validated in its compact constructor
 */
public interface ConfigSection<T> {

    /** The top-level key, such as {@code database}. */
    String key();

    /** The settings type, bound in the injector for the adapter's classes to inject. */
    Class<T> type();

    /**
     * Reads the section (call {@link ConfigReader#finish()} when done). Null means "not configured": nothing is
     * bound, and commands that need the section stop with {@link #missing()}.
     */
    T read(ConfigReader section);

    /** The settings as {@code check-config} prints them: every key with its effective value, secrets masked. */
    Map<String, Object> render(T settings);

    /**
     * Environment variables that set a key of this section, variable to key (relative to the section), such as
     * {@code DATABASE_URL -> url}. Applied over the file, under {@code --set} flags.
     */
    default Map<String, String> environment() {
        return Map.of();
    }

    /**
     * When the section may not be left out by commands that run the observer: the message that says what to set
     * (exit 2). Null when the section is optional.
     */
    default String missing() {
        return null;
    }

    /** Keys the adapter reads beyond what {@link #render} prints, for the documentation check; usually none. */
    default List<String> extraKeys() {
        return List.of();
    }
}
