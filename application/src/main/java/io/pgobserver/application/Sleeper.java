package io.pgobserver.application;

import java.time.Duration;

/** Waits between retries. A seam so tests run retries without waiting, and so a shutdown interrupts a wait. */
@FunctionalInterface
public interface Sleeper {

    Sleeper SYSTEM = duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
            Thread.sleep(duration);
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
