package io.pgobserver.bootstrap.config;

import java.time.Duration;

/** Durations as users write them on the command line: 500ms, 30s, 2m, 1h. */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String name, String value) {
        return Node.parseDuration(name, value);
    }
}
