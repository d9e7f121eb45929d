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
     * Records deliveries, all or none; returns once they are durable. Fenced: under {@code fence}, the write happens
     * only while the fence is the consumer's current claim, checked in the same transaction.
     *
     * @param fence the writer's claim, or null for a writer outside the pipeline (a dead-letter replay)
     * @throws CheckpointStore.FencedException when another process claimed the consumer since {@code fence}
     */
    void record(CheckpointStore.Fence fence, Collection<String> deliveryIds) throws CheckpointStore.FencedException;

    /** Records one delivery outside the pipeline (unfenced). */
    default void record(String deliveryId) {
        try {
            record(null, java.util.List.of(deliveryId));
        } catch (CheckpointStore.FencedException e) {
            throw new IllegalStateException("an unfenced write cannot be fenced", e);
        }
    }
}
