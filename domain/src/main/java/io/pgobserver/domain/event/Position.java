package io.pgobserver.domain.event;

/**
 * Where an event's row sits in {@code pgobserver.change_log}: the writing transaction's id and the row's own id
 * (its offset). The offset identifies the event for de-duplication and in spans ({@code checkpoint_offset});
 * two rows sharing an {@code event_id} are still two events. The order in which events run is the batches'
 * (see {@link Batch}), not this one's.
 */
public record Position(long txid, long offset) {

    public Position {
        if (txid < 0 || offset < 0) {
            throw new IllegalArgumentException("position must not be negative: txid=" + txid + ", offset=" + offset);
        }
    }

    @Override
    public String toString() {
        return txid + "/" + offset;
    }
}
