package io.pgobserver.domain.event;

/**
 * Where an event sits in the change stream: the writing transaction's id and the event's own offset.
 *
 * <p>Events are delivered in (transaction, offset) order, never by offset alone: a long transaction
 * that took a low offset may commit after later ones, and reading by offset would skip it. A checkpoint
 * is the position of the last event whose actions have all run (or been dead-lettered).
 */
public record Position(long txid, long offset) implements Comparable<Position> {

    /** Before the first event. */
    public static final Position START = new Position(0, 0);

    public Position {
        if (txid < 0 || offset < 0) {
            throw new IllegalArgumentException("position must not be negative: txid=" + txid + ", offset=" + offset);
        }
    }

    @Override
    public int compareTo(Position other) {
        int byTx = Long.compare(txid, other.txid);
        return byTx != 0 ? byTx : Long.compare(offset, other.offset);
    }

    public boolean isAfter(Position other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return txid + "/" + offset;
    }
}
