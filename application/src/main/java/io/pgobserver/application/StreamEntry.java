package io.pgobserver.application;

import io.pgobserver.domain.event.Checkpoint;

import java.time.Duration;

/**
 * One place in the stream that {@link Progress} tracks, in stream order: an event (its batch and change_log id, the
 * lane it runs in) or the end of a batch. Guarded by Progress's lock, but {@code retrying} and when
 * it began to run, which the event's worker sets.
 */
final class StreamEntry {
    final long batch;
    final long id;
    final boolean endOfBatch;
    final String entity;
    /** What the event holds in memory until it is done ({@code ChangeEvent.approximateBytes()}); 0 for an end. */
    final long bytes;
    boolean done;
    volatile boolean retrying;
    private volatile boolean started;
    private volatile long startedNanos;

    StreamEntry(long batch, long id, boolean endOfBatch, String entity, long bytes) {
        this.batch = batch;
        this.id = id;
        this.endOfBatch = endOfBatch;
        this.entity = entity;
        this.bytes = bytes;
    }

    /** The event got its place (one of {@code max_in_flight}) and runs; its first run counts. */
    void started(long nanos) {
        if (!started) {
            startedNanos = nanos;
            started = true;
        }
    }

    boolean started() { // whether it ever got its place and ran
        return started;
    }

    /**
     * How long the event has held the checkpoint back by itself, which {@code park_after} bounds: since it began to
     * run, its attempts and the waits between them (a retried event keeps its place). The time it waited in line for
     * a place is the stream's pace, not this entity's: a receiver that answers every request, slowly, made every head
     * wait past park_after under a backlog, and each was parked in turn, for nothing but extra writes; counted from
     * when it was read, one failed attempt after that wait parked it at once, as if it had failed for park_after.
     */
    Duration heldFor(long now) {
        return started ? Duration.ofNanos(now - startedNanos) : Duration.ZERO;
    }

    /** Where the checkpoint stands once this entry and everything before it are done. */
    Checkpoint checkpointAfter() {
        return endOfBatch ? new Checkpoint(batch + 1, 0) : new Checkpoint(batch, id);
    }
}
