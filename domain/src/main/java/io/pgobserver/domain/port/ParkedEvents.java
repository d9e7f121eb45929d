package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.util.List;
import java.util.Map;

/**
 * Where a stuck entity's pending events wait, durably and in order, so that the stream and the checkpoint move on
 * without it: an entity whose oldest event cannot finish (its receiver down for hours, say) is parked, and its
 * events, those already read and those read later, queue here until its own drainer has run them all.
 *
 * <p>Queues are per consumer and per entity (an event's {@link ChangeEvent#orderingKey()}). Writes are fenced by
 * the consumer's epoch, in the same transaction as the check: a process that lost its place to another writes
 * nothing and gets {@link CheckpointStore.FencedException}.
 */
public interface ParkedEvents {

    /**
     * Appends events to the tail of their entity's queue, in the order given; an event already in the queue (the
     * same change_log row, read again after a restart) keeps its place. Returns once durable.
     */
    void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
            throws CheckpointStore.FencedException;

    /** The oldest {@code limit} events of the entity's queue, oldest first; empty when it has drained. */
    List<ChangeEvent> head(String consumer, String entity, int limit);

    /** Takes a finished event (by change_log id) off its entity's queue. */
    void remove(CheckpointStore.Fence fence, String entity, long offset) throws CheckpointStore.FencedException;

    /** The consumer's parked entities and how many events each holds, oldest parked first. */
    Map<String, Long> entities(String consumer);

    /**
     * How many events and entities the consumer has parked, and the {@code oldest} entities parked longest with
     * their events: what people are shown. Not {@link #entities}: a receiver down for every row parks hundreds of
     * thousands of rows, and a page that refreshes every second must not read them all.
     */
    default Summary summary(String consumer, int oldest) {
        Map<String, Long> all = entities(consumer);
        Map<String, Long> first = new java.util.LinkedHashMap<>();
        all.entrySet().stream().limit(oldest).forEach(e -> first.put(e.getKey(), e.getValue()));
        return new Summary(all.values().stream().mapToLong(Long::longValue).sum(), all.size(), first);
    }

    /**
     * @param events   parked events, all entities together
     * @param entities parked entities
     * @param oldest   the entities parked longest (each entity's queue key) and their events, oldest first
     */
    record Summary(long events, long entities, Map<String, Long> oldest) {
        public Summary {
            oldest = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(oldest));
        }
    }
}
