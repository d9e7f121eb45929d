package io.pgobserver.adapters.tracing.otel;

import java.time.Duration;

/**
 * A run of failed exports, from the first failed attempt of the first of them to the next export that succeeds (the
 * back-end restarted, or stopped hanging), and the export waiting for an answer now: what the line saying export
 * resumed reports, and what tells a stop that its back-end is in trouble.
 */
final class ExportOutage {

    /** How long an export may wait for its answer before the back-end counts as in trouble. */
    static final Duration UNANSWERED = Duration.ofSeconds(3);

    /** An outage a successful export ended: how long exports failed, and how many spans they dropped. */
    record Ended(Duration lasted, long droppedSpans) {
    }

    private boolean failing;
    private long startedNanos;
    /** An attempt failed that the exporter retries, and no export has ended since: when the outage began, if it did. */
    private boolean attemptFailed;
    private long attemptFailedNanos;
    private long dropped;
    private long waitingSinceNanos;
    private boolean waiting;

    synchronized void sent(long now) {
        waiting = true;
        waitingSinceNanos = now;
    }

    /**
     * An attempt failed and the exporter retries it. Should its retries run out too, the outage began here, not when
     * they ran out (some 10 s later, by the exporter's timeout): the line saying export resumed counts it from here.
     */
    synchronized void attemptFailed(long now) {
        if (!failing && !attemptFailed) {
            attemptFailed = true;
            attemptFailedNanos = now;
        }
    }

    synchronized void failed(long spans, long now) {
        waiting = false;
        if (!failing) {
            failing = true;
            startedNanos = attemptFailed ? attemptFailedNanos : now;
            dropped = 0;
        }
        attemptFailed = false;
        dropped += spans;
    }

    /** @return the outage this success ends, or null when exports were not failing */
    synchronized Ended succeeded(long now) {
        waiting = false;
        attemptFailed = false;
        if (!failing) {
            return null;
        }
        failing = false;
        return new Ended(Duration.ofNanos(now - startedNanos), dropped);
    }

    /** Whether exports are failing: the last one failed. */
    synchronized boolean failing() {
        return failing;
    }

    /** Whether the last export failed, or the one sent has waited longer than {@link #UNANSWERED} for its answer. */
    synchronized boolean inTrouble(long now) {
        return failing || waiting && now - waitingSinceNanos > UNANSWERED.toNanos();
    }
}
