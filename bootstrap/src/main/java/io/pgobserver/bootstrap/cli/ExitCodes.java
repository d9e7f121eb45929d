package io.pgobserver.bootstrap.cli;

/** The exit codes of the command line (docs/guide.md). */
public final class ExitCodes {

    public static final int OK = 0;
    /**
     * A runtime failure: the database is unreachable, a replay stopped before its stretch's end or a backfill stopped
     * by a signal or by the database lost outside a chunk (each prints the command that goes on), no such
     * dead letter, a {@code dlq replay} stopped by a signal before its last letter, a {@code status},
     * {@code dlq list}, {@code dlq delete} or {@code install} stopped by a signal (each says what was done).
     */
    public static final int FAILURE = 1;
    /** Bad configuration or usage. */
    public static final int USAGE = 2;
    /**
     * {@code replay} ran its whole stretch and at least one event failed and was dead-lettered, or {@code dlq replay}
     * ran its letters and at least one stays in the queue: distinct from {@link #FAILURE}, as what to do differs:
     * see to the letters (their reasons say how), rather than run the command again as it was.
     */
    public static final int DEAD_LETTERED = 3;
    /**
     * A command that only reads ({@code status}, {@code dlq list}) found no pgobserver schema in the database, or one
     * older than this release: distinct from {@link #FAILURE} (the database did answer) as the cure is another
     * command, {@code install} or {@code run} of this release, not a retry.
     */
    public static final int NOT_INSTALLED = 4;

    private ExitCodes() {
    }
}
