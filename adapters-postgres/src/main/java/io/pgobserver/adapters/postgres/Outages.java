package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.DatabaseStoppedAnswering;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;

/**
 * A failure of the database as the commands say it: a database that stops answering is
 * {@link DatabaseStoppedAnswering}, with the driver's or the pool's failure as its cause, rather than in their words
 * alone ("pg-observer - Connection is not available, request timed out after 10000ms"), which say neither what
 * happened nor what to do.
 */
final class Outages {

    private Outages() {
    }

    /** Runs {@code work} against the database; an outage is thrown as {@link DatabaseStoppedAnswering}. */
    static <T> T answering(Database database, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            throw said(database, e);
        }
    }

    /** {@code failure} as {@link DatabaseStoppedAnswering} when it is an outage; else itself. */
    static RuntimeException said(Database database, RuntimeException failure) {
        if (failure instanceof DatabaseStoppedAnswering
                || !StartFailures.isOutage(failure) && !noSessionInTime(failure)) {
            return failure;
        }
        return new DatabaseStoppedAnswering("PostgreSQL at " + database.describe(), words(failure), failure);
    }

    /**
     * Whether the pool gave up waiting for a session: the server answered none within the pool's wait, which is
     * an outage too even when no failure of the server's is known (one that froze, or a network dropping packets).
     */
    private static boolean noSessionInTime(Throwable error) {
        for (Throwable cause = error; cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The failure in the pool's or the driver's words (the first SQL failure's message, without the class name Jdbi's
     * wrapper puts before it), and the first cause's where that says more ("Connection refused").
     */
    private static String words(Throwable error) {
        Throwable said = error;
        for (Throwable cause = error; cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                said = cause;
                break;
            }
        }
        String top = said.getMessage() == null ? said.getClass().getSimpleName() : said.getMessage();
        String root = Database.rootMessage(error);
        return top.contains(root) ? top : top + " (" + root + ")";
    }
}
