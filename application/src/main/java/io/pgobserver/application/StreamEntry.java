package io.pgobserver.application;

import io.pgobserver.domain.event.Checkpoint;

/**
 * One place in the stream that {@link Progress} tracks, in stream order: an event (its batch and change_log id, the
 * lane it runs in, when it was read) or the end of a batch. Guarded by Progress's lock, but {@code retrying}, which
 * the event's worker sets.
 */
final class StreamEntry {
    final long batch;
    final long id;
    final boolean endOfBatch;
    final String entity;
    final long registeredNanos;
    /** What the event holds in memory until it is done ({@code ChangeEvent.approximateBytes()}); 0 for an end. */
    final long bytes;
    boolean done;
    volatile boolean retrying;

    StreamEntry(long batch, long id, boolean endOfBatch, String entity, long registeredNanos, long bytes) {
        this.batch = batch;
        this.id = id;
        this.endOfBatch = endOfBatch;
        this.entity = entity;
        this.registeredNanos = registeredNanos;
        this.bytes = bytes;
    }

    /** Where the checkpoint stands once this entry and everything before it are done. */
    Checkpoint checkpointAfter() {
        return endOfBatch ? new Checkpoint(batch + 1, 0) : new Checkpoint(batch, id);
    }
}
