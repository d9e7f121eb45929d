package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How long a stop waits for the spans still queued: the full bound for back-ends that answer, no more than the
 * troubled bound once one is in trouble (it failed its last export, or has left the one sent unanswered for
 * {@link ExportOutage#UNANSWERED}). Trouble is looked at again while waiting, not only at the start: an export that
 * hung a moment before the stop shows as trouble only once it has waited that long, and a stop that decided at its
 * start would give that back-end the whole full bound for nothing.
 */
final class ShutdownWait {

    /** How often the wait looks for trouble again: a hung back-end is given up on this soon after it shows. */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long startNanos;
    private final Duration full;
    private final Duration troubledBound;
    private final BooleanSupplier troubled;

    /** @param troubled whether an exporter's back-end is in trouble now */
    ShutdownWait(Duration full, Duration troubledBound, BooleanSupplier troubled) {
        this.startNanos = System.nanoTime();
        this.full = full;
        this.troubledBound = troubledBound;
        this.troubled = troubled;
    }

    /** The bound as it stands now: the troubled one while a back-end is in trouble. */
    private Duration bound() {
        return troubled.getAsBoolean() ? troubledBound : full;
    }

    /**
     * Waits for {@code done} until it completes or the bound runs out.
     *
     * @return the bound that ran out (the troubled one when a back-end was in trouble then), or null when it completed
     */
    Duration await(CompletableResultCode done) {
        while (!done.isDone()) {
            Duration bound = bound();
            long left = leftNanos(bound);
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                // An interrupted stop gives up at once, as a single join would: each join would return at once.
                return bound;
            }
            done.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, CHECK_NANOS))), TimeUnit.MILLISECONDS);
        }
        return null;
    }

    /** Milliseconds left of the bound as it stands now, for a last step that must fit in it (0 when none is left). */
    long leftMillis() {
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, leftNanos(bound())));
    }

    private long leftNanos(Duration bound) {
        return startNanos + bound.toNanos() - System.nanoTime();
    }
}
