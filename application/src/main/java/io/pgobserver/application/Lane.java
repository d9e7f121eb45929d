package io.pgobserver.application;

import java.util.ArrayDeque;

/** One entity's state in {@link Lanes}. Only touched inside {@code lanes.compute} for its key. */
final class Lane {
    final ArrayDeque<Lanes.Item> queue = new ArrayDeque<>(1); // not 16 slots: most hold an event or two, parked none
    Thread thread; // the pooled thread running the lane's turn; null between turns
    Lanes.Item current; // the event the lane's running or queued turn is for
    boolean parkRequested;
    boolean parked;

    /** Under the lane's lock, at a stop: its event does not wait to retry (it stops before its next attempt). */
    Lane stopRetrying() {
        if (current != null) {
            current.ticket().stopRetrying();
        }
        return this;
    }
}
