package io.pgobserver.application;

import java.time.Duration;

import static java.lang.System.Logger.Level.WARNING;

/**
 * When to park the entity that holds the checkpoint back: the oldest unfinished event ({@link Progress#head()}) has
 * waited {@code listener.park_after}, or it is being retried while the pending events are at their bound. Parking
 * only on demand keeps the common path free of extra writes.
 */
final class StuckHead {

    private static final System.Logger LOG = System.getLogger(StuckHead.class.getName());

    private final String consumer;
    private final Duration parkAfter;
    private final Lanes lanes;

    StuckHead(String consumer, Duration parkAfter, Lanes lanes) {
        this.consumer = consumer;
        this.parkAfter = parkAfter;
        this.lanes = lanes;
    }

    /** Parks the head's lane when it is due; its events then move to a durable queue and the stream goes on. */
    void parkIfStuck(Progress progress) {
        Progress.Head head = progress.head();
        if (head == null) {
            return;
        }
        boolean due = head.age().compareTo(parkAfter) >= 0 || (head.retrying() && progress.full());
        if (due && lanes.park(head.entity())) {
            LOG.log(WARNING, "consumer '" + consumer + "': entity " + ParkingLot.readable(head.entity())
                    + " holds back the checkpoint (change_log id " + head.changeLogId() + " has waited "
                    + head.age().toMillis() + " ms" + (head.retrying() ? " and is being retried" : "")
                    + "); parking it, so that the stream goes on without it");
        }
    }
}
