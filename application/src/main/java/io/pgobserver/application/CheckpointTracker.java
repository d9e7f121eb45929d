package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Moves the checkpoint only past a contiguous run of finished events. Events finish out of order (different
 * entities run in parallel), so the tracker keeps the events read but not yet passed, in stream order, and
 * advances over the finished head. Saves are batched: at most one per {@code interval} while events flow.
 */
final class CheckpointTracker implements EventCompletion {

    private final String consumer;
    private final CheckpointStore store;
    private final long intervalNanos;
    private final LongSupplier nanoClock;

    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private final Map<String, Entry> byEventId = new HashMap<>();
    private Position passed;
    private Position saved;
    private Position recoveredUpTo;
    private long unsavedEvents;
    private long lastSaveNanos;
    private final Object saveLock = new Object();

    CheckpointTracker(String consumer, CheckpointStore store, Duration interval, LongSupplier nanoClock) {
        this.consumer = consumer;
        this.store = store;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    private static final class Entry {
        final Position position;
        boolean done;

        Entry(Position position) {
            this.position = position;
        }
    }

    /** Starts from the saved checkpoint; returns it. Events up to {@code recoveredUpTo} count as recovered. */
    synchronized Position start(Position checkpoint, Position recoveredUpTo) {
        pending.clear();
        byEventId.clear();
        passed = checkpoint;
        saved = checkpoint;
        this.recoveredUpTo = recoveredUpTo;
        unsavedEvents = 0;
        lastSaveNanos = nanoClock.getAsLong();
        return checkpoint;
    }

    /** Registers an event read from the source, in stream order, before it is handed to a worker. */
    synchronized void register(ChangeEvent event) {
        Entry entry = new Entry(event.position());
        pending.addLast(entry);
        byEventId.put(event.id(), entry);
    }

    /** Marks the first batch after a (re)start: events in it may have run before the last checkpoint save. */
    synchronized void recoveredUpTo(Position position) {
        recoveredUpTo = position;
    }

    @Override
    public synchronized boolean recoveredFromCheckpoint(ChangeEvent event) {
        return recoveredUpTo != null && !event.position().isAfter(recoveredUpTo);
    }

    @Override
    public CheckpointSave done(ChangeEvent event) {
        synchronized (this) {
            Entry entry = byEventId.remove(event.id());
            if (entry == null) {
                return null;
            }
            entry.done = true;
            while (!pending.isEmpty() && pending.peekFirst().done) {
                passed = pending.removeFirst().position;
                unsavedEvents++;
            }
            if (unsavedEvents == 0 || nanoClock.getAsLong() - lastSaveNanos < intervalNanos) {
                return null;
            }
            return takeSave();
        }
    }

    /** The save of everything passed and not yet saved, whatever the interval; null when there is none. */
    synchronized CheckpointSave flush() {
        return unsavedEvents == 0 ? null : takeSave();
    }

    /** The last position passed (saved or not). */
    synchronized Position passed() {
        return passed;
    }

    synchronized int inFlight() {
        return pending.size();
    }

    private CheckpointSave takeSave() {
        Position position = passed;
        long covered = unsavedEvents;
        unsavedEvents = 0;
        lastSaveNanos = nanoClock.getAsLong();
        return new CheckpointSave() {
            @Override
            public long offset() {
                return position.offset();
            }

            @Override
            public long eventsCovered() {
                return covered;
            }

            @Override
            public void run() {
                try {
                    // Saves may be handed out to two workers at once; the store ignores a position that moves
                    // back, and the lock keeps the writes in order so the newest lands last.
                    synchronized (saveLock) {
                        store.save(consumer, position);
                    }
                    markSaved(position);
                } catch (RuntimeException e) {
                    restoreUnsaved(covered);
                    throw e;
                }
            }
        };
    }

    private synchronized void markSaved(Position position) {
        if (saved == null || position.isAfter(saved)) {
            saved = position;
        }
    }

    private synchronized void restoreUnsaved(long covered) {
        unsavedEvents += covered;
    }

    synchronized Position saved() {
        return saved;
    }
}
