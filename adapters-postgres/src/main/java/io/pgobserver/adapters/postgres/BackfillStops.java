package io.pgobserver.adapters.postgres;

import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill's stop ({@code pgobserver.backfills.last_error} and {@code stopped_at}): why and when a failing chunk
 * stopped it, so that {@code status} tells it from one making progress. The backfill stays running, hence resumable
 * and cancellable as before; the next chunk that succeeds, a resume and a cancel clear the stop.
 */
final class BackfillStops {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillStops.class);

    /**
     * The most of a reason that is recorded. A database message quotes the value it failed on, and a --where or a
     * key can be long: uncapped, one stop could put megabytes into every {@code status} a monitor polls.
     */
    static final int MAX_ERROR = 1000;

    private final Database database;

    BackfillStops(Database database) {
        this.database = database;
    }

    /**
     * Records that the backfill stopped, in a transaction of its own (the chunk's was rolled back), and answers the
     * failure to throw: "backfill N: " with the reason and the advice. The reason alone is recorded, since
     * {@code status} gives its own advice, and cut to {@link #MAX_ERROR} characters. A failure to record is logged and added to the failure as suppressed, never
     * thrown in its place: the operator must still learn why the chunk failed.
     */
    IllegalArgumentException stopped(long id, String reason, String advice, Throwable cause) {
        IllegalArgumentException failure = new IllegalArgumentException("backfill " + id + ": " + reason + advice,
                cause);
        try {
            // A cancel in between ended the backfill: there is nothing left to stop.
            database.jdbi().useHandle(handle -> handle.createUpdate("""
                            update pgobserver.backfills set last_error = :error, stopped_at = now()
                             where id = :id and state = 'running'
                            """)
                    .bind("error", capped(reason)).bind("id", id).execute());
        } catch (RuntimeException e) {
            LOG.warn("backfill {} stopped ({}); recording the stop failed, so 'status' shows it running: {}", id,
                    reason, Database.rootMessage(e));
            failure.addSuppressed(e);
        }
        return failure;
    }

    /** The start of {@code reason}, saying it was cut and by how much, or the reason itself when short enough. */
    static String capped(String reason) {
        if (reason.length() <= MAX_ERROR) {
            return reason;
        }
        // Never half a surrogate pair: PostgreSQL refuses text that is not valid UTF-8.
        int end = Character.isHighSurrogate(reason.charAt(MAX_ERROR - 1)) ? MAX_ERROR - 1 : MAX_ERROR;
        return reason.substring(0, end) + " ... [cut: " + (reason.length() - end) + " more characters]";
    }

    /** Clears the backfill's stop, as it is about to run again. */
    static void clear(Handle handle, long id) {
        handle.createUpdate("""
                        update pgobserver.backfills set last_error = null, stopped_at = null
                         where id = :id and stopped_at is not null
                        """)
                .bind("id", id).execute();
    }
}
