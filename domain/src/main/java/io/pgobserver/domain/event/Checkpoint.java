package io.pgobserver.domain.event;

/**
 * How far a consumer has got: every batch before {@code batch} is done, and of batch {@code batch} every event
 * with a change_log id up to {@code afterId}. "Done" means each of the event's actions ran or was
 * dead-lettered.
 *
 * @param batch   the first batch not wholly done
 * @param afterId the last change_log id done in it; 0 when none is
 */
public record Checkpoint(long batch, long afterId) implements Comparable<Checkpoint> {

    /** A consumer that has done nothing: batch 1 is the first, read from {@link Snapshot#ORIGIN}. */
    public static final Checkpoint START = new Checkpoint(1, 0);

    public Checkpoint {
        if (batch < 1 || afterId < 0) {
            throw new IllegalArgumentException("a checkpoint is batch >= 1 and id >= 0, was " + batch + "/" + afterId);
        }
    }

    @Override
    public int compareTo(Checkpoint other) {
        int byBatch = Long.compare(batch, other.batch);
        return byBatch != 0 ? byBatch : Long.compare(afterId, other.afterId);
    }

    public boolean isAfter(Checkpoint other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return batch + "/" + afterId;
    }
}
