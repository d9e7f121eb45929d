package io.pgobserver.adapters.tracing.otel;

import java.time.Duration;

/**
 * A run of failed exports, from the first failure to the next export that succeeds (the back-end restarted, or
 * stopped hanging), and the export waiting for an answer now: what the line saying export resumed reports, and what
 * tells a stop that its back-end is in trouble.
 */
final class ExportOutage {

    /** How long an export may wait for its answer before the back-end counts as in trouble. */
    static final Duration UNANSWERED = Duration.ofSeconds(3);

    /** An outage a successful export ended: how long exports failed, and how many spans they dropped. */
    record Ended(Duration lasted, long droppedSpans) {
    }

    private boolean failing;
    private long startedNanos;
    private long dropped;
    private long waitingSinceNanos;
    private boolean waiting;

    synchronized void sent(long now) {
        waiting = true;
        waitingSinceNanos = now;
    }

    synchronized void failed(long spans, long now) {
        waiting = false;
        if (!failing) {
            failing = true;
            startedNanos = now;
            dropped = 0;
        }
        dropped += spans;
    }

    /** @return the outage this success ends, or null when exports were not failing */
    synchronized Ended succeeded(long now) {
        waiting = false;
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
