package io.pgobserver.domain.event;

import java.util.Objects;

/**
 * The rows whose transactions committed between two snapshots: visible in {@code to}, not visible in
 * {@code from}. Every committed transaction becomes visible exactly once, so every row lands in exactly one
 * batch, and batches follow commit order. Inside a batch rows are read in id order, which for any one row is
 * the order its writers committed (a second writer waits on the row lock, and takes its id after the first
 * commits).
 *
 * @param seq  the consumer's number for the batch: 1, 2, 3, ...; batch 0 is the starting point
 * @param from the snapshot that ends the previous batch
 * @param to   the snapshot that ends this one
 */
public record Batch(long seq, Snapshot from, Snapshot to) {

    public Batch {
        if (seq < 0) {
            throw new IllegalArgumentException("a batch number is never negative, was " + seq);
        }
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }

    /** The batch after this one, ending at {@code next}. */
    public Batch then(Snapshot next) {
        return new Batch(seq + 1, to, next);
    }

    @Override
    public String toString() {
        return "batch " + seq + " (" + from + " .. " + to + ")";
    }
}
