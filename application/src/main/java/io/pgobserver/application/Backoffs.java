package io.pgobserver.application;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One event's waits between attempts (at an action, at a store write it needs, at the whole event), which end at once
 * when the pipeline takes the event away (its row parked) or stops: one rule for every wait an event makes.
 * Parking interrupts only these waits, never an attempt in flight: a receiver may already have acted on a request
 * the observer then cuts off, and an observer of the event whose receiver is fine (observers run side by side) would
 * deliver it twice. An attempt in flight ends within its action's timeout, and the event stops before the next one.
 */
final class Backoffs {

    private final Set<Thread> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;
    private volatile boolean stopped;

    /** Waits {@code wait}, unless the event is taken away, or the pipeline stops, first. */
    void sleep(Duration wait, Sleeper sleeper) throws InterruptedException {
        Thread self = Thread.currentThread();
        waiting.add(self); // before the check: an end that comes after it interrupts this wait
        try {
            if (ended || stopped) {
                throw why();
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                throw ended || stopped ? why() : e; // the reason, not "sleep interrupted", for the trace and the log
            }
        } finally {
            waiting.remove(self);
        }
    }

    private InterruptedException why() {
        return new InterruptedException(ended ? "the event was taken away before its next attempt"
                : "the pipeline stopped before its next attempt");
    }

    /** Whether the event was taken away. */
    boolean ended() {
        return ended;
    }

    /** Whether the pipeline stopped, so that no wait of the event's starts any more. */
    boolean stopped() {
        return stopped;
    }

    /**
     * The pipeline stops: every wait ends now and none starts, so a stop does not wait for a retry (the event is not
     * done; the next holder runs it). Unlike {@link #end()}, the event's other actions may still run meanwhile.
     */
    void stop() {
        stopped = true;
        waiting.forEach(Thread::interrupt);
    }

    /** The event is taken away: every wait ends now, and none starts. */
    void end() {
        ended = true;
        waiting.forEach(Thread::interrupt);
    }
}
