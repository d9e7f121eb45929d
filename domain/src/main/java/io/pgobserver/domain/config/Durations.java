package io.pgobserver.domain.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as users write them, in the configuration and on command lines (the core's and the demo's and the
 * bench's): {@code 500ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 1d}, several of them
 * ({@code 1d 12h}, {@code 1m30s}: as {@link #format} prints a duration, so its output reads back), or ISO-8601
 * {@code PT1S}.
 */
public final class Durations {

    private static final String PART = "(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)";
    private static final Pattern DURATION = Pattern.compile("(?:" + PART + "\\s*)+");
    private static final Pattern ONE_PART = Pattern.compile(PART);
    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private Durations() {
    }

    /** @throws IllegalArgumentException naming {@code key} when the text is not a duration */
    public static Duration parse(String key, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (DURATION.matcher(text).matches()) {
            double millis = 0;
            for (Matcher m = ONE_PART.matcher(text); m.find(); ) {
                double amount = Double.parseDouble(m.group(1));
                millis += switch (m.group(2)) {
                    case "ms" -> amount;
                    case "s" -> amount * SECOND;
                    case "m" -> amount * MINUTE;
                    case "h" -> amount * HOUR;
                    default -> amount * DAY;
                };
            }
            return Duration.ofNanos((long) (millis * 1_000_000));
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " must be a duration such as 500ms, 1s, 2m or 1h, was '"
                    + value + "'");
        }
    }

    /**
     * @param example a value to suggest, such as {@code "e.g. 5s"}
     * @throws IllegalArgumentException naming {@code key}, the range and the value when it is outside the range
     */
    public static Duration within(String key, Duration value, Duration min, Duration max, String example) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(key + " must be between " + format(min) + " and " + format(max)
                    + " (" + example + "), was " + format(value));
        }
        return value;
    }

    /**
     * A duration as the configuration writes it, exactly, in the largest units that read well: {@code 500ms},
     * {@code 1.5s}, {@code 1m 30s}, {@code 2h}, {@code 24h}, {@code 1d 12h} (days only past one day: {@code 24h} is how
     * a day is usually set). {@link #parse} reads it back.
     */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 0) {
            return "-" + format(Duration.ofMillis(-ms));
        }
        if (ms < SECOND) {
            return ms == 0 ? "0s" : ms + "ms";
        }
        StringBuilder out = new StringBuilder();
        long rest = ms;
        if (ms > DAY) {
            out.append(rest / DAY).append("d ");
            rest %= DAY;
        }
        for (long unit : new long[]{HOUR, MINUTE}) {
            if (rest >= unit) {
                out.append(rest / unit).append(unit == HOUR ? "h " : "m ");
                rest %= unit;
            }
        }
        if (rest > 0) {
            long millis = rest % SECOND;
            out.append(rest / SECOND);
            if (millis > 0) {
                // 1.5s, 1.25s, 1.005s: the fraction without its trailing zeros.
                out.append('.').append(String.format(Locale.ROOT, "%03d", millis).replaceAll("0+$", ""));
            }
            out.append("s ");
        }
        return out.toString().trim();
    }

    /**
     * A duration measured (an age, a wait), to the second and in its two largest units: {@code 12s}, {@code 4m 10s},
     * {@code 2h 3m}, {@code 1d 12h}. The seconds and minutes beyond them are left out: nobody acts on them.
     */
    public static String rounded(Duration d) {
        long seconds = Math.max(0, d.toSeconds());
        if (seconds >= DAY / SECOND) {
            return seconds / (DAY / SECOND) + "d " + seconds % (DAY / SECOND) / 3600 + "h";
        }
        if (seconds >= 3600) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds >= 60 ? seconds / 60 + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
