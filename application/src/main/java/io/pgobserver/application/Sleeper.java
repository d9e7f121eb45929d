package io.pgobserver.application;

import java.time.Duration;

/**
 * Waits between retries. A seam so tests run retries without waiting, and so a shutdown interrupts a wait.
 *
 * <p>A wait lasts its whole time or ends by throwing {@link InterruptedException}, never by returning early: a retry
 * loop goes on after a wait that returned, and one that returned at once would have it try again with no pause.
 */
@FunctionalInterface
public interface Sleeper {

    Sleeper SYSTEM = duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
            Thread.sleep(duration);
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
