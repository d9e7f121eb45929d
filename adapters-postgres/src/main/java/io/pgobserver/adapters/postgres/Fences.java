package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.CheckpointStore;
import org.jdbi.v3.core.Handle;

/**
 * The epoch check that every write of a consumer's active process makes in its own transaction. The check takes a
 * key-share lock on the consumer's checkpoint row, and a claim takes that row {@code for update} before it bumps the
 * epoch, so a claim waits until every fenced write in flight has committed: a write is either before the claim, under
 * the old epoch, or refused. Key-share, not share: the term's own checkpoint saves update the row too, and must not
 * wait behind a fenced write that is itself waiting (a dead-letter insert on a locked table, say), nor make every
 * later fenced write queue behind them.
 */
final class Fences {

    private static final String HOLD = """
            select 1 from pgobserver.checkpoints where consumer = :consumer and epoch = :epoch for key share
            """;

    private Fences() {
    }

    /**
     * Holds the fence for the rest of the transaction; a null fence (a writer outside the pipeline) holds nothing.
     *
     * @throws CheckpointStore.FencedException when another process claimed the consumer since {@code fence}
     */
    static void hold(Handle handle, CheckpointStore.Fence fence) throws CheckpointStore.FencedException {
        if (fence == null) {
            return;
        }
        boolean current = handle.createQuery(HOLD)
                .bind("consumer", fence.consumer())
                .bind("epoch", fence.epoch())
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
        if (!current) {
            throw fenced(fence);
        }
    }

    /**
     * Makes this transaction's commit wait for its WAL to be flushed, whatever the server's
     * {@code synchronous_commit}: for the writes a crash must not undo (positions; delivery records, whose loss would
     * repeat delivered actions beyond the ones in flight).
     */
    static void durable(Handle handle) {
        handle.execute("set local synchronous_commit = on");
    }

    static CheckpointStore.FencedException fenced(CheckpointStore.Fence fence) {
        return new CheckpointStore.FencedException("consumer '" + fence.consumer() + "' was claimed by another "
                + "process since epoch " + fence.epoch() + ": this process must stop dispatching and writing");
    }
}
