package io.pgobserver.domain.spi;

import io.pgobserver.domain.config.Durations;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A strict reader over one mapping of the configuration, handed by the core to the adapter that owns the
 * mapping. Every read names its key path in errors; {@link #finish()} rejects keys nobody read, so a typo stops
 * the boot naming the key. Values arrive with {@code ${VAR}} already replaced and the environment and
 * {@code --set} flags already applied. Errors are thrown as unchecked exceptions whose message names the key
 * and the fix; the command line turns them into exit code 2.
 */
public interface ConfigReader {

    /** The dotted path of this mapping, such as {@code database} or {@code observers.orders.actions[0]}. */
    String path();

    /** The full path of a key of this mapping, for messages. */
    String key(String name);

    /** Whether the key is present with a value. */
    boolean has(String name);

    /** The nested mapping (empty when absent). */
    ConfigReader child(String name);

    String string(String name, String fallback);

    String requiredString(String name, String hint);

    boolean bool(String name, boolean fallback);

    int integer(String name, int fallback, int min, int max);

    double decimal(String name, double fallback);

    /** {@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601. */
    Duration duration(String name, Duration fallback);

    /**
     * A duration between {@code min} and {@code max}: outside them, an error naming the key, the bounds, the fix
     * ({@code example}, such as {@code "e.g. 1s"}) and the value given. Absent, the fallback (null: the setting is
     * off).
     */
    default Duration duration(String name, Duration fallback, Duration min, Duration max, String example) {
        Duration value = duration(name, null);
        return value == null ? fallback : Durations.within(key(name), value, min, max, example);
    }

    /** A list of values, or one comma-separated value. */
    List<String> strings(String name);

    /** A mapping of names to single values (headers, attributes). */
    Map<String, String> stringMap(String name);

    /**
     * The value as it is written, a JSON-shaped tree (a request body's shape): mappings as {@code Map}s in file
     * order, lists as {@code List}s, text as {@code String}, numbers as {@code Long} or {@code BigDecimal} as
     * written, {@code Boolean}, and null for a null or absent value. The trees are unmodifiable.
     */
    Object tree(String name);

    /**
     * Records a warning for settings that work but deserve a look (a retired key read as its successor): printed
     * at boot and by {@code check-config}.
     */
    void warn(String message);

    /**
     * The environment the configuration is loaded with, for an adapter that hands a library the variables of that
     * library's own specification (the OpenTelemetry SDK reads {@code OTEL_*} itself). Keys of the file that a
     * variable sets arrive already applied; use {@link ConfigSection#environment()} for those.
     */
    Map<String, String> environment();

    /** Rejects keys of this mapping that were never read. */
    void finish();

    /**
     * This mapping rendered canonically (keys sorted, JSON): equal settings give equal text, whatever their
     * order or spelling in the file. The core hashes an action's rendering, but for its
     * {@linkplain ActionType#secretKeys() secrets}, into its stable key.
     */
    String canonical();
}
