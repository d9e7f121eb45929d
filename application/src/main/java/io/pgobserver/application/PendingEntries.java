package io.pgobserver.application;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What a {@link Progress} holds: the events read and not yet passed by the checkpoint, in stream order (with the
 * ends of batches), and their two bounds. {@code maxPending} counts the entries, finished ones behind a slow one
 * included; {@code maxBytes} bounds what the unfinished ones hold in memory (queued in their lanes, running, or on
 * their way to the parking lot), counted once when each is added and given back when it is done. A finished event
 * holds no image, only its entry. Guarded by its Progress's lock.
 */
final class PendingEntries {

    private final ArrayDeque<StreamEntry> entries = new ArrayDeque<>();
    private final int maxPending;
    private final long maxBytes;
    /** What the unfinished events hold ({@link StreamEntry#bytes}). */
    private long heldBytes;

    PendingEntries(int maxPending, long maxBytes) {
        this.maxPending = maxPending;
        this.maxBytes = maxBytes;
    }

    void add(StreamEntry entry) {
        entries.addLast(entry);
        if (!entry.done) {
            heldBytes += entry.bytes;
        }
    }

    /** Marks the entry's event done; true when that gave back the bytes reading waited for. */
    boolean done(StreamEntry entry) {
        if (entry.done) {
            return false;
        }
        entry.done = true;
        boolean wasFull = heldBytes >= maxBytes;
        heldBytes -= entry.bytes;
        return wasFull && heldBytes < maxBytes;
    }

    /**
     * Whether reading must wait: {@code maxPending} entries are held, or the unfinished events hold {@code maxBytes}.
     * So one event, however large, always gets in when nothing else is unfinished.
     */
    boolean full() {
        return entries.size() >= maxPending || heldBytes >= maxBytes;
    }

    /** The oldest unfinished event, or null when nothing waits. */
    OldestUnfinished head(long now, long retriesThrough) {
        StreamEntry first = entries.peekFirst();
        if (first == null || first.done) {
            return null;
        }
        boolean onRetries = first.retrying || !first.started() && anyRetryingBehindFirst();
        return new OldestUnfinished(first.entity, first.id, first.heldFor(now), first.retrying, onRetries,
                retriesThrough, full());
    }

    /** Removes and returns the oldest entry when it is done; null otherwise. */
    StreamEntry passDone() {
        StreamEntry first = entries.peekFirst();
        return first != null && first.done ? entries.removeFirst() : null;
    }

    /** Lanes of unfinished events behind the oldest, being retried and held back {@code age} by themselves. */
    List<String> retryingBehindFirst(long now, Duration age) {
        return entries.stream().skip(1).filter(e -> !e.done && !e.endOfBatch && e.retrying
                && e.heldFor(now).compareTo(age) >= 0).map(e -> e.entity).distinct().toList();
    }

    private boolean anyRetryingBehindFirst() {
        return entries.stream().skip(1).anyMatch(e -> !e.done && !e.endOfBatch && e.retrying);
    }

    /** What the unfinished events hold. */
    long heldBytes() {
        return heldBytes;
    }
}
