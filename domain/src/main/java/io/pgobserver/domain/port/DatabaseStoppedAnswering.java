package io.pgobserver.domain.port;

import java.util.Objects;

/**
 * The database stopped answering (down, restarting, unreachable, or no session within the pool's wait): an outage,
 * which ends by itself, not a request that is wrong. Any port backed by the database may throw it: the change
 * history, the dead letters and the backfills say so on their methods.
 *
 * <p>What a caller does with it: never treat it as bad input, nor retry at once in a tight loop. Work that must go on
 * (the pipeline, a backfill's chunk) calls again with a backoff until the database answers; a command that runs to
 * an end stops, says where it stopped, and names the command that goes on from there once the database answers.
 * A write it cuts is one transaction, committed whole or not at all, so nothing is left half done.
 *
 * <p>Its message says what happened first ("PostgreSQL at jdbc:postgresql://db:5432/app stopped answering; cause:
 * …"), and the driver's or the pool's own words ({@link #reason()}) after it.
 */
public final class DatabaseStoppedAnswering extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String database;
    private final String reason;

    /**
     * @param database the database, with its address and no secret ("PostgreSQL at jdbc:postgresql://db:5432/app")
     * @param reason   the failure in the driver's or the pool's words ("Connection is not available, request timed
     *                 out after 10000ms (Connection refused)")
     * @param cause    that failure
     */
    public DatabaseStoppedAnswering(String database, String reason, Throwable cause) {
        super(database + " stopped answering; cause: " + reason, Objects.requireNonNull(cause, "cause"));
        this.database = Objects.requireNonNull(database, "database");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The database that stopped answering, with its address ("PostgreSQL at jdbc:postgresql://db:5432/app"). */
    public String database() {
        return database;
    }

    /** The failure in the driver's or the pool's words, for the end of a message that says what to do first. */
    public String reason() {
        return reason;
    }
}
