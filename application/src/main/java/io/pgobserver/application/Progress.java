package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.CheckpointStore;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The one owner of a consumer's checkpoint during a term: knows every event read and not yet passed, in stream
 * order (batch, then id), moves the checkpoint over the finished head only, and saves it, fenced, at most once per
 * {@code interval} while events flow. Events finish out of order (entities run in parallel), so finished events
 * behind an unfinished one wait here; their number is bounded by {@code maxPending}, what the unfinished ones hold
 * in memory by {@code maxBytes} ({@link PendingEntries}), and the reader waits for room ({@link #awaitRoom}). The
 * oldest unfinished event ({@link #head}) is what the checkpoint waits on: when it stays stuck, the term parks its
 * entity, which makes its events done here once they are durably parked.
 *
 * <p>Events are tracked by their place in the stream, never by {@code event_id}: two rows may share one.
 */
final class Progress {

    private final CheckpointWriter writer;
    private final CheckpointStore.Fence fence;
    private final CheckpointStore.HighWater dispatchedBefore;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Runnable onFenced;

    // A ReentrantLock, not synchronized: virtual threads wait on it without pinning their carrier.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final PendingEntries pending;
    private Checkpoint passed;
    private long lastPassedId;
    private long unsavedEvents;
    private boolean unsavedMove;
    private long lastSaveNanos;
    private boolean aborted;
    private final AtomicLong retriesThrough = new AtomicLong(); // see OldestUnfinished: events delivered after retries

    Progress(CheckpointStore store, CheckpointStore.Resume resume, Duration interval, int maxPending, long maxBytes,
             LongSupplier nanoClock, Runnable onFenced) {
        this.fence = resume.fence();
        this.dispatchedBefore = resume.dispatched();
        this.intervalNanos = interval.toNanos();
        this.pending = new PendingEntries(maxPending, maxBytes);
        this.nanoClock = nanoClock;
        this.onFenced = onFenced;
        this.passed = resume.checkpoint();
        this.writer = new CheckpointWriter(store, resume.fence(), resume.checkpoint(), onFenced);
        this.lastSaveNanos = nanoClock.getAsLong();
    }

    /**
     * Waits up to {@code slice} for room ({@link PendingEntries#full()}); true when there is room. The caller loops,
     * checking between slices whether it may go on and whether the head must be parked; an {@link #abort} wakes it at
     * once.
     */
    boolean awaitRoom(Duration slice) throws InterruptedException {
        lock.lock();
        try {
            long left = slice.toNanos();
            while (pending.full() && !aborted && left > 0) {
                left = room.awaitNanos(left);
            }
            return !pending.full() && !aborted;
        } finally {
            lock.unlock();
        }
    }

    /** The term ended: whoever waits for room stops waiting. */
    void abort() {
        lock.lock();
        try {
            aborted = true;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest unfinished event, or null when nothing waits. */
    OldestUnfinished head() {
        lock.lock();
        try {
            return pending.head(nanoClock.getAsLong(), retriesThrough.get());
        } finally {
            lock.unlock();
        }
    }

    /** Lanes of unfinished events behind the head, being retried and held back {@code age} by themselves. */
    List<String> retryingBehindHead(Duration age) {
        long now = nanoClock.getAsLong();
        lock.lock();
        try {
            return pending.retryingBehindFirst(now, age);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Registers an event of {@code batch}, read in stream order, before it is handed to the lane {@code lane} (the
     * one parked, should it hold the checkpoint back); {@code cancellation}: running events must stop at once.
     */
    Ticket register(long batch, ChangeEvent event, String lane, BooleanSupplier cancellation, SettledBefore before) {
        StreamEntry entry = new StreamEntry(batch, event.position().offset(), false, lane,
                event.approximateBytes());
        lock.lock();
        try {
            pending.add(entry);
        } finally {
            lock.unlock();
        }
        boolean mayHaveRun = dispatchedBefore.covers(batch, entry.id);
        return new Ticket(this, entry, mayHaveRun, mayHaveRun ? before : null, cancellation);
    }

    /** Every event of {@code batch} has been registered. */
    void endOfBatch(long batch) {
        lock.lock();
        try {
            StreamEntry end = new StreamEntry(batch, 0, true, null, 0);
            end.done = true;
            pending.add(end);
            advance();
        } finally {
            lock.unlock();
        }
    }

    /** The save of everything passed and not yet saved, whatever the interval; null when there is none. */
    EventCompletion.CheckpointSave flush() {
        lock.lock();
        try {
            return unsavedMove ? takeSave() : null;
        } finally {
            lock.unlock();
        }
    }

    /** The last checkpoint saved in this term (or resumed from). */
    Checkpoint saved() {
        return writer.saved();
    }

    /**
     * {@code entry}'s event is done ({@link Ticket#done}); {@code afterRetries}: delivered after retries that got
     * through ({@link RetriedActions}). The save now due, or null.
     */
    EventCompletion.CheckpointSave done(StreamEntry entry, boolean afterRetries) {
        if (afterRetries) {
            retriesThrough.incrementAndGet();
        }
        lock.lock();
        try {
            if (pending.done(entry)) {
                room.signalAll(); // the head may not have moved, but images are gone
            }
            advance();
            if (!unsavedMove || nanoClock.getAsLong() - lastSaveNanos < intervalNanos) {
                return null;
            }
            return takeSave();
        } finally {
            lock.unlock();
        }
    }

    long now() {
        return nanoClock.getAsLong();
    }

    CheckpointStore.Fence fence() {
        return fence;
    }

    /** This process may no longer dispatch: the store refused its fence. */
    void fenced() {
        onFenced.run();
    }

    /** Passes the finished head. Lock held. */
    private void advance() {
        boolean moved = false;
        for (StreamEntry head = pending.passDone(); head != null; head = pending.passDone()) {
            passed = head.checkpointAfter();
            if (!head.endOfBatch) {
                lastPassedId = head.id;
                unsavedEvents++;
            }
            unsavedMove = true;
            moved = true;
        }
        if (moved) {
            room.signalAll();
        }
    }

    /** Lock held. */
    private EventCompletion.CheckpointSave takeSave() {
        Checkpoint target = passed;
        long covered = unsavedEvents;
        unsavedEvents = 0;
        unsavedMove = false;
        lastSaveNanos = nanoClock.getAsLong();
        return new CheckpointWriter.Due(lastPassedId, covered, () -> {
            try {
                writer.save(target);
            } catch (RuntimeException e) {
                lock.lock(); // not saved: the next save covers these events too
                try {
                    unsavedEvents += covered;
                    unsavedMove = true;
                } finally {
                    lock.unlock();
                }
                throw e;
            }
        });
    }
}
