package io.pgobserver.domain.port;

import java.util.List;
import java.util.Optional;

/**
 * Backfills of existing rows into the change stream, one chunk per transaction, in primary-key order. Each chunk
 * takes its rows' share locks, logs one {@code read} change per row and records its progress in the same
 * transaction, so per row the read and the live changes are logged in commit order (docs/architecture.md). Each
 * method throws {@link DatabaseStoppedAnswering} when the database does not answer.
 */
public interface Backfills {

    /**
     * Starts a backfill; when the table has one unfinished (a crash, a failover, a failing chunk), returns that one
     * instead, to be resumed from its last finished chunk: its stop is cleared, as {@link #resume} does.
     *
     * @throws IllegalArgumentException when the table does not exist, has no primary key, is not captured, or the
     *                                  {@code where} condition does not compile; the message says how to fix it
     */
    Backfill start(BackfillRequest request);

    /** The table's unfinished backfill, if any. */
    Optional<Backfill> running(String table);

    /** Every unfinished backfill, oldest first. */
    List<Backfill> running();

    /**
     * Runs the backfill's next chunk in one transaction and returns where it stands after it: finished when the
     * chunk found no more rows, cancelled (nothing logged) when it was cancelled meanwhile. A chunk that succeeds
     * clears the backfill's {@link Backfill#stop}.
     *
     * @throws IllegalArgumentException when the chunk fails for a reason a retry cannot cure; the backfill is then
     *                                  recorded as stopped with the reason ({@link Backfill#stop}), still resumable
     */
    Backfill runChunk(long id);

    /**
     * Clears the stop a failing chunk recorded, as the backfill is about to run again (its next chunk records it
     * anew if it fails again); answers the backfill as it now stands.
     */
    Backfill resume(long id);

    /**
     * Cancels the table's unfinished backfill, stopped or not: its next chunk logs nothing. Empty when there is none.
     */
    Optional<Backfill> cancel(String table);

    /**
     * Marks the table's backfill as run by this process until closed, so that readers tell it from one whose process
     * is gone ({@link Backfill#attended}). Only the database can say that a process is gone: it ends the attendance
     * with the process's session (a {@code kill -9}, a crash, a lost connection), with no clock or timeout involved.
     * Several processes may attend one table at once; take it before starting or resuming the backfill.
     */
    Attendance attend(String table);

    /** A process's attendance of a table's backfill; closing it ends it. */
    interface Attendance extends AutoCloseable {

        /**
         * Takes the attendance again if its session ended while this process lives on (the database restarted, the
         * connection dropped): call it after each chunk, so a backfill that outlives a failover does not read as
         * interrupted for the rest of its run. A failure to take it is left for the next call.
         */
        void renew();

        @Override
        void close();
    }

    /** The most recent backfills, unfinished ones first, for {@code status}. */
    List<Backfill> recent(int limit);
}
