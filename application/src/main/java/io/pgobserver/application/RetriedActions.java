package io.pgobserver.application;

import java.util.HashSet;
import java.util.Set;

/**
 * An event's actions that failed an attempt, and whether a retry of one got through: made at the event's first
 * failed attempt (most events are never retried). The event is delivered after retries when a retry got through and
 * no action is left unanswered: its receivers answer, and the stream does not wait on one that is down
 * ({@link WaitOnRetries}). Per event, not per retry: another observer's receiver may refuse the same row for good,
 * and ended by each retry that got through, a flaky receiver's, the wait never lasted park_after while the down one's
 * rows were parked one per place a check. Guarded by its event's ticket.
 */
final class RetriedActions {

    private final Set<String> unanswered = new HashSet<>();
    private boolean gotThrough;

    void failed(String observer, int action) {
        unanswered.add(observer + '\0' + action);
    }

    void gotThrough(String observer, int action) {
        unanswered.remove(observer + '\0' + action);
        gotThrough = true;
    }

    /** A retry got through, and every action that failed has answered since. */
    boolean allAnswered() {
        return gotThrough && unanswered.isEmpty();
    }
}
