package io.pgobserver.domain.port;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A consumer's place in the stream, kept so that a restart neither skips nor needlessly repeats events:
 * the {@link Checkpoint}, the batches read since it (their snapshots, so a restart re-reads exactly the same
 * rows), and how far dispatch went (the high-water mark: events beyond it cannot have run).
 *
 * <p>Writes are fenced: {@link #claim} bumps the consumer's epoch, and every later write names the epoch it
 * was claimed under. A write under an older epoch changes nothing and throws {@link FencedException}, so a
 * process that lost its place to another can no longer move the position.
 */
public interface CheckpointStore {

    /**
     * Takes over the consumer's position: bumps its epoch, fencing out every earlier holder, and returns where
     * to resume. A consumer seen for the first time starts at {@link Checkpoint#START} from {@link Snapshot#ORIGIN}.
     */
    Resume claim(String consumer);

    /**
     * Records, before any of them is dispatched, that events of {@code batch} up to id {@code throughId} are
     * about to be: stores the batch's snapshots (once) and moves the high-water mark to (batch, throughId).
     *
     * @throws FencedException when another process claimed the consumer since {@code fence}
     */
    void dispatching(Fence fence, Batch batch, long throughId) throws FencedException;

    /**
     * Moves the checkpoint forward (a checkpoint behind the saved one is ignored) and forgets batches no
     * longer needed.
     *
     * @throws FencedException when another process claimed the consumer since {@code fence}
     */
    void save(Fence fence, Checkpoint checkpoint) throws FencedException;

    /**
     * Records that the holder of {@code fence} ended its term with nothing left running: no event, no action on the
     * wire. The next {@link #claim} then hands over at once ({@link Resume#handedOver()}) instead of waiting out
     * this holder's lease. Only a clean stop may call it; a holder that lost its lock, was fenced, or interrupted
     * events that were still running must not.
     *
     * @throws FencedException when another process claimed the consumer since {@code fence}
     */
    void release(Fence fence) throws FencedException;

    /** The saved state, for {@code status}; empty for a consumer that never ran. Claims nothing. */
    Optional<Saved> load(String consumer);

    /** The right to write a consumer's position, taken by {@link #claim}. */
    record Fence(String consumer, long epoch) {
        public Fence {
            Objects.requireNonNull(consumer, "consumer");
        }
    }

    /** Events of batch {@code batch} up to id {@code id} may have been dispatched; later ones were not. */
    record HighWater(long batch, long id) {
        public static final HighWater NONE = new HighWater(0, 0);

        /** Whether an event of {@code batchSeq} with this id may have been dispatched before. */
        public boolean covers(long batchSeq, long eventId) {
            return batchSeq < batch || (batchSeq == batch && eventId <= id);
        }
    }

    /**
     * Where a claimed consumer resumes.
     *
     * @param fence      the claim
     * @param checkpoint the saved checkpoint
     * @param done       the snapshot that ends the last wholly done batch (batch {@code checkpoint.batch() - 1})
     * @param recorded   the batches recorded from {@code checkpoint.batch()} on, in order: re-read them exactly
     *                   before taking a new snapshot
     * @param dispatched the high-water mark
     * @param handedOver whether nothing of an earlier holder can still be running: it released its place after a
     *                   clean stop ({@link #release}), or the consumer never had a holder. When false, an earlier
     *                   holder whose lock session died may dispatch until its lease runs out, and the new holder
     *                   waits that long before it dispatches
     */
    record Resume(Fence fence, Checkpoint checkpoint, Snapshot done, List<Batch> recorded, HighWater dispatched,
                  boolean handedOver) {
        public Resume {
            Objects.requireNonNull(fence, "fence");
            Objects.requireNonNull(checkpoint, "checkpoint");
            Objects.requireNonNull(done, "done");
            recorded = List.copyOf(recorded);
            Objects.requireNonNull(dispatched, "dispatched");
        }
    }

    /**
     * What {@code status} shows.
     *
     * @param claimedBy the process that claimed the current epoch ({@code pid@host}), or null when unknown
     * @param claimedAt when it did, or null when unknown
     */
    record Saved(Checkpoint checkpoint, Snapshot done, HighWater dispatched, long epoch, String claimedBy,
                 java.time.Instant claimedAt) {

        /** A saved state that does not know who claimed it. */
        public Saved(Checkpoint checkpoint, Snapshot done, HighWater dispatched, long epoch) {
            this(checkpoint, done, dispatched, epoch, null, null);
        }
    }

    /** Another process claimed the consumer: this one must stop dispatching and writing at once. */
    class FencedException extends Exception {
        private static final long serialVersionUID = 1L;

        public FencedException(String message) {
            super(message);
        }
    }
}
