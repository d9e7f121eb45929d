package io.pgobserver.bootstrap.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code PGOBSERVER_LOG_LEVEL}, checked like every other variable. logback.xml reads it, and Logback takes a word it
 * does not know for DEBUG: a typo would quietly flood the log with every library's debug lines.
 */
public final class LogLevelVariable {

    public static final String NAME = "PGOBSERVER_LOG_LEVEL";
    /** The levels the guide documents; Logback reads them in any case. */
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

    private LogLevelVariable() {
    }

    /** Whether the variable is set to something: blank counts as unset, as for every variable. */
    public static boolean given(Map<String, String> env) {
        String value = env.get(NAME);
        return value != null && !value.isBlank();
    }

    /** Stops with a configuration error naming the variable, its value and the levels when it is no level. */
    static void check(Map<String, String> env) {
        if (given(env) && !LEVELS.contains(env.get(NAME).trim().toUpperCase(Locale.ROOT))) {
            throw new ConfigException(NAME + " is '" + env.get(NAME).strip() + "', which is not a log level: use one of "
                    + String.join(", ", LEVELS) + " (or unset it for INFO)");
        }
    }
}
