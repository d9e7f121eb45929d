package io.pgobserver.adapters.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the console writes times, durations and figures: short, fixed formats, UTC. */
final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    static String time(Instant at) {
        return at == null ? "—" : TIME.format(at);
    }

    static String clock(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Milliseconds with one decimal under 100 ms: a webhook takes 2.3 ms, a retry 1,204 ms. */
    static String millis(long nanos) {
        if (nanos < 0) {
            return "—";
        }
        double ms = nanos / 1_000_000.0;
        return ms < 100 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%,d", Math.round(ms));
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** An age as people say it: 4.2 s, 3 min 10 s, 2 h 5 min. */
    static String age(Duration d) {
        long ms = d.toMillis();
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
