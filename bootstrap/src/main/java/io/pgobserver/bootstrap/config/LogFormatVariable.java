package io.pgobserver.bootstrap.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code PGOBSERVER_LOG_FORMAT}: {@code text} (the default) or {@code json}, one JSON object per line for a log
 * shipper. logback.xml picks its appender by it, and the commands write their errors as log lines when it is json,
 * so that every line on standard error parses.
 */
public final class LogFormatVariable {

    public static final String NAME = "PGOBSERVER_LOG_FORMAT";
    public static final String TEXT = "text";
    public static final String JSON = "json";
    static final List<String> FORMATS = List.of(TEXT, JSON);

    private LogFormatVariable() {
    }

    /**
     * The format these variables ask for, {@code text} when unset or blank; any case is read. A value that is no
     * format reads as text here (logging must start before anything can be refused) and is refused by {@link #check}.
     */
    public static String of(Map<String, String> env) {
        String value = env.get(NAME);
        return value != null && value.strip().equalsIgnoreCase(JSON) ? JSON : TEXT;
    }

    /** Whether the lines are JSON. */
    public static boolean json(Map<String, String> env) {
        return of(env).equals(JSON);
    }

    /** Stops with a configuration error naming the variable, its value and the formats when it is no format. */
    static void check(Map<String, String> env) {
        String value = env.get(NAME);
        if (value != null && !value.isBlank() && !FORMATS.contains(value.strip().toLowerCase(Locale.ROOT))) {
            throw new ConfigException(NAME + " is '" + value.strip() + "', which is not a log format: use one of "
                    + String.join(", ", FORMATS) + " (or unset it for text)");
        }
    }
}
