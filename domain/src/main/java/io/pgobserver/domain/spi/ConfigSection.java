package io.pgobserver.domain.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A top-level section of the configuration owned by an adapter, as OpenTelemetry's autoconfigure SPI lets each
 * exporter read its own properties: the core never names the section's keys. An adapter declares its sections
 * in {@link Adapter#sections()}; at boot the core hands each one its mapping, binds the settings it returns in the
 * injector under {@link #type()}, and prints {@link #render} in {@code check-config}.
 *
 * <p>A section may also extend a section of the core ({@link #extendsCore()}), as an {@link ActionType} extends an
 * action: the core reads its own keys of the mapping, hands the same reader to the extension for the rest, then
 * calls {@link ConfigReader#finish()}, so a typo is still rejected naming its path. The OpenTelemetry adapter
 * extends {@code tracing:} that way: the core reads {@code enabled} and which spans to create, the adapter reads
 * where they go. Without the extension installed, its keys are errors that name the adapter.
 *
 * @param <T> the settings record, validated in its compact constructor
 */
public interface ConfigSection<T> {

    /** The top-level key, such as {@code database}. */
    String key();

    /** The settings type, bound in the injector for the adapter's classes to inject. */
    Class<T> type();

    /**
     * Whether {@link #key()} names a section of the core that this one extends (only {@code tracing} may be
     * extended). Then {@link #read} gets the mapping after the core read its keys, and must not call
     * {@link ConfigReader#finish()}: the core does.
     */
    default boolean extendsCore() {
        return false;
    }

    /**
     * For a section that {@link #extendsCore() extends the core's}: whether these settings leave the core's
     * feature working. The OpenTelemetry adapter says no for {@code exporter: none}, and the core then installs the
     * no-op tracer though tracing is enabled.
     */
    default boolean active(T settings) {
        return true;
    }

    /**
     * Reads the section (call {@link ConfigReader#finish()} when done, unless it {@link #extendsCore()}). Null means
     * "not configured": nothing is bound, and commands that need the section stop with {@link #missing()}.
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
     * The keys (relative to the section, such as {@code endpoint} or {@code batch.schedule_delay}) that the
     * environment sets, applied over the file and under {@code --set} flags. By default each variable of
     * {@link #environment()} that is set gives its key; a section whose variables set several keys at once or
     * need translating overrides this, and reports what deserves a look to {@code warnings}.
     */
    default Map<String, String> fromEnvironment(Map<String, String> env, Consumer<String> warnings) {
        Map<String, String> keys = new LinkedHashMap<>();
        environment().forEach((variable, key) -> {
            String value = env.get(variable);
            if (value != null && !value.isBlank()) {
                keys.put(key, value.trim());
            }
        });
        return keys;
    }

    /**
     * When the section may not be left out by commands that run the observer: the message that says what to set
     * (exit 2). Null when the section is optional.
     */
    default String missing() {
        return null;
    }
}
