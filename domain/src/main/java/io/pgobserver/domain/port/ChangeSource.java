package io.pgobserver.domain.port;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where change events come from, read by snapshots as PgQ does. The caller takes a {@link #snapshot()}, and
 * reads the batch of rows whose transactions became visible between its previous snapshot and this one
 * ({@link #read}), page by page in id order. A transaction still open is in no batch until it commits, so it
 * delays only its own rows; a transaction that commits late, whatever its id, lands in the batch of its commit.
 */
public interface ChangeSource {

    /** Which transactions have committed now. */
    Snapshot snapshot() throws ChangeSourceException;

    /**
     * The next page of {@code batch}: rows whose transaction is visible in {@code batch.to()} and was not in
     * {@code batch.from()}, with a change_log id above {@code afterId}, in id order, at most {@code maxEvents}
     * of them. A row that cannot become an event is passed over (the source files it elsewhere), and a source may
     * end a page early to bound the memory it holds (rows of hundreds of KB), so a page may hold fewer events than
     * asked: {@link Page#end()}, not the page's size, says whether the batch goes on, and the next page starts
     * after {@link Page#lastId()}. Reading the same batch again returns the same rows (rows
     * of aborted transactions never appear).
     */
    Page read(Batch batch, long afterId, int maxEvents) throws ChangeSourceException;

    /**
     * Waits up to {@code maxWait} for a sign that rows may have committed (a notification), returning early on
     * one. Returning says nothing for sure: the caller reads to find out.
     */
    void awaitChanges(Duration maxWait) throws ChangeSourceException, InterruptedException;

    /** How far the stream runs ahead of a consumer whose done batches end at {@code done}. */
    Lag lag(Snapshot done) throws ChangeSourceException;

    /**
     * The oldest transaction still open (or prepared and not yet committed) that has written rows to the stream, the
     * observer's own sessions left out: its rows are in no batch until it commits, and {@link #lag} cannot count
     * them. Empty when there is none. Asked every few seconds and by {@code status}: it must stay cheap.
     */
    Optional<OpenTransaction> oldestOpenWriter() throws ChangeSourceException;

    /**
     * One page of a batch.
     *
     * @param events the page's events, in id order
     * @param lastId the last change_log id the read went past (the last event's, or a later row's that could not
     *               be read); the {@code afterId} it was given when it found no row
     * @param end    true when the batch holds no row after {@code lastId}; false when it may (a full page, or
     *               one the source ended early)
     */
    record Page(List<ChangeEvent> events, long lastId, boolean end) {
        public Page {
            events = List.copyOf(events);
            if (!events.isEmpty() && events.getLast().position().offset() > lastId) {
                throw new IllegalArgumentException("a page's lastId is at or after its last event's id, was "
                        + lastId + " before " + events.getLast().position().offset());
            }
        }
    }

    /**
     * Rows committed after {@code done} and their oldest one's age. An implementation may estimate it (it is
     * asked on every idle poll and must stay cheap); it says so in its documentation.
     */
    record Lag(long events, Duration age) {
        public static final Lag NONE = new Lag(0, Duration.ZERO);
    }

    /** The source failed; the message is free of secrets. The caller backs off and tries again. */
    class ChangeSourceException extends Exception {
        private static final long serialVersionUID = 1L;

        public ChangeSourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
