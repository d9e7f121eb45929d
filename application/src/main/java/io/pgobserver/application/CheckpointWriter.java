package io.pgobserver.application;

import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.CheckpointStore;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The one writer of a term's checkpoint: saves are fenced by the term's claim and kept in order. Saves may be handed
 * to two workers at once; the lock keeps them in order, and an older one arriving late is skipped (the store would
 * ignore it too).
 */
final class CheckpointWriter {

    private final CheckpointStore store;
    private final CheckpointStore.Fence fence;
    private final Runnable onFenced;
    // A ReentrantLock, not synchronized: virtual threads wait on it without pinning their carrier.
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Checkpoint saved;

    CheckpointWriter(CheckpointStore store, CheckpointStore.Fence fence, Checkpoint resumedAt, Runnable onFenced) {
        this.store = store;
        this.fence = fence;
        this.saved = resumedAt;
        this.onFenced = onFenced;
    }

    /** The last checkpoint saved in this term (or resumed from). */
    Checkpoint saved() {
        return saved;
    }

    /**
     * Saves {@code target} unless a later one is saved already.
     *
     * @throws RuntimeException when it was not saved (the database failed, or another process claimed the consumer,
     *                          which also ends the term)
     */
    void save(Checkpoint target) {
        lock.lock();
        try {
            if (!target.isAfter(saved)) {
                return;
            }
            store.save(fence, target);
            saved = target;
        } catch (CheckpointStore.FencedException e) {
            onFenced.run();
            throw new IllegalStateException("checkpoint not saved: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A save that is due, as {@link EventCompletion} hands it out. */
    record Due(long offset, long eventsCovered, Runnable action) implements EventCompletion.CheckpointSave {
        @Override
        public void run() {
            action.run();
        }
    }
}
