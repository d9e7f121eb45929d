package io.pgobserver.domain.port;

import java.util.Collection;
import java.util.Set;

/**
 * Remembers which actions are settled (delivered, or dead-lettered), by delivery id (see {@link DeliveryKey}),
 * so that an event dispatched before a crash does not run the same action twice after the restart.
 */
public interface Deliveries {

    /** Of these delivery ids, the ones recorded as settled. One round trip, whatever the number. */
    Set<String> settled(Collection<String> deliveryIds);

    /**
     * Records deliveries of one event, all or none; returns once they are durable. Fenced: under {@code fence}, the
     * write happens only while the fence is the consumer's current claim, checked in the same transaction. The
     * event's change_log id keeps the records as long as the event may run again (retention deletes them only once
     * every consumer has passed the row and no parked queue or dead letter holds the event).
     *
     * <p>A store that waits (for a write under way, or for its own) yields to an interrupt: a stop or a lost lock
     * must not wait on a database that does not answer.
     *
     * @param fence  the writer's claim, or null for a writer outside the pipeline (a dead-letter replay)
     * @param offset the event's change_log id; 0 when not known
     * @throws CheckpointStore.FencedException when another process claimed the consumer since {@code fence}
     * @throws InterruptedException            when interrupted while it waited: the deliveries may still be written
     *                                         (by a write already under way) or not; the caller cannot know which
     */
    void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds)
            throws CheckpointStore.FencedException, InterruptedException;

    /**
     * Records one delivery outside the pipeline (unfenced).
     *
     * @throws InterruptedException when interrupted while it waited, as {@link #record(CheckpointStore.Fence, long,
     *                              Collection)}
     */
    default void record(String deliveryId) throws InterruptedException {
        try {
            record(null, 0, java.util.List.of(deliveryId));
        } catch (CheckpointStore.FencedException e) {
            throw new IllegalStateException("an unfenced write cannot be fenced", e);
        }
    }
}
