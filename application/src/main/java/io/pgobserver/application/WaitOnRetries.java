package io.pgobserver.application;

import java.time.Duration;

/**
 * How long the checkpoint has waited on retried events, head after head: the oldest unfinished event is being
 * retried, or waits for a place while events behind it are. A receiver down for every row keeps each head retried for
 * a moment only (it is parked as the one before it goes), so no head's own time says that the stream has waited on
 * retries for long; this does. The wait ends when an event is delivered after a retry got through, every action
 * retried at it answering (a receiver that fails some requests, or the first of each, answers: it is not down), when
 * nothing is pending, or once the checks have found the stream off retries for {@code quiet} on end. Events that ran
 * without a retry do not end it: another observer's rows pass between those of a receiver that is down, and ended by
 * them, the wait began anew at each head. Nor does a retry that got through at a row another observer's receiver
 * refuses: a flaky receiver's retries ended it at every third row, and the down one's rows went one per place a check.
 *
 * <p>Sampled at {@link StuckHead}'s checks, by the reader's thread alone.
 */
final class WaitOnRetries {

    private static final long NONE = Long.MIN_VALUE;

    private final long quietNanos;
    private long since = NONE;
    private long offSince = NONE;
    private long retriesThrough;

    WaitOnRetries(Duration quiet) {
        this.quietNanos = quiet.toNanos();
    }

    /** How long the wait has lasted at {@code now}, given the head a check found (null: nothing is pending). */
    Duration at(OldestUnfinished head, long now) {
        if (head == null) {
            since = NONE;
            return Duration.ZERO;
        }
        if (head.retriesThrough() != retriesThrough) {
            retriesThrough = head.retriesThrough();
            since = NONE;
        }
        if (head.onRetries()) {
            offSince = NONE;
            if (since == NONE) {
                since = now;
            }
        } else if (since != NONE) {
            if (offSince == NONE) {
                offSince = now;
            } else if (now - offSince >= quietNanos) {
                since = NONE;
            }
        }
        return since == NONE ? Duration.ZERO : Duration.ofNanos(now - since);
    }
}
