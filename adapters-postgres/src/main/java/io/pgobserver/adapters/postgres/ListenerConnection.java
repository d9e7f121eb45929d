package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.port.ChangeSource.ChangeSourceException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The listener's own session, listening on {@code pgobserver_events} (LISTEN is session state, so it is one
 * connection, not a pooled one). It connects on first use; when the connection breaks, the call that saw it
 * throws and the next one reconnects, with exponential backoff and jitter between attempts.
 */
final class ListenerConnection {

    static final String CHANNEL = "pgobserver_events";
    private static final Logger LOG = LoggerFactory.getLogger(ListenerConnection.class);
    /** Reconnects back off by the same formula as every other retry (jittered by ±20% here). */
    private static final RetryPolicy RECONNECT = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100),
            Duration.ofSeconds(10));

    private final Database database;
    // Not synchronized: held while connecting, which on Java 21 would pin the carrier of a caller on a virtual thread.
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Connection connection;
    private volatile int failures;
    private volatile long retryAtNanos;
    private volatile String lastError = "";

    ListenerConnection(Database database) {
        this.database = database;
    }

    /** Work done on the listening connection; an SQLException means the connection is lost. */
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on the open connection, or throws at once while the backoff after a failure runs. */
    <T> T use(Work<T> work) throws ChangeSourceException {
        Connection conn;
        try {
            conn = open(System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChangeSourceException("interrupted while connecting the listener", e);
        }
        try {
            return work.run(conn);
        } catch (SQLException e) {
            throw lost(conn, e);
        }
    }

    /**
     * Waits up to {@code maxWait}, at most {@code pollInterval}, for a notification; returns at once when one
     * arrived since the last wait (it may be for rows the caller has not read).
     */
    void awaitNotification(Duration maxWait, Duration pollInterval) throws ChangeSourceException,
            InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        Connection conn = open(deadline);
        try {
            PGConnection pg = conn.unwrap(PGConnection.class);
            PGNotification[] pending = pg.getNotifications();
            if (pending != null && pending.length > 0) {
                return;
            }
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            long waitMillis = Math.min(remaining, pollInterval.toMillis());
            if (waitMillis > 0) {
                pg.getNotifications((int) Math.min(Integer.MAX_VALUE, waitMillis));
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for change events");
            }
        } catch (SQLException e) {
            throw lost(conn, e);
        }
    }

    void close() {
        lock.lock();
        try {
            closeQuietly(connection);
            connection = null;
        } finally {
            lock.unlock();
        }
    }

    /** The open listening connection, or a new one once the backoff after the last failure has passed. */
    private Connection open(long deadline) throws ChangeSourceException, InterruptedException {
        long wait;
        lock.lock();
        try {
            Connection current = connection;
            if (current != null) {
                return current;
            }
            wait = retryAtNanos - System.nanoTime();
        } finally {
            lock.unlock();
        }
        // Sleep outside the lock, so that close() never waits for a backoff.
        if (wait > 0) {
            long allowed = deadline - System.nanoTime();
            if (allowed < wait) {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, allowed));
                throw new ChangeSourceException("PostgreSQL at " + database.describe()
                        + " is unreachable (failed connection attempts: " + failures + "); reconnecting with backoff. "
                        + "Last error: " + lastError, null);
            }
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        lock.lock();
        try {
            if (connection != null) {
                return connection;
            }
            Connection opened = null;
            try {
                opened = database.connect("listener");
                try (Statement statement = opened.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                    // Whatever the server's setting: a snapshot's transaction commits only once its WAL is flushed,
                    // so that no crash after the snapshot can hand its transaction ids out again (see V5).
                    statement.execute("SET synchronous_commit = on");
                }
            } catch (SQLException e) {
                closeQuietly(opened);
                failed(e);
                throw new ChangeSourceException("cannot connect the listener to PostgreSQL at " + database.describe()
                        + ": " + lastError + ". Retrying with backoff; check that the server is running and that "
                        + "database.url, user and password are right.", e);
            }
            if (failures > 0) {
                LOG.info("Listener reconnected to PostgreSQL at {} after {} failed attempts", database.describe(),
                        failures);
            }
            failures = 0;
            connection = opened;
            return opened;
        } finally {
            lock.unlock();
        }
    }

    private ChangeSourceException lost(Connection conn, SQLException error) {
        lock.lock();
        try {
            if (connection != conn) {
                // close() closed it under a running call: a shutdown, not an outage.
                return new ChangeSourceException("the listener was stopped", error);
            }
            connection = null;
            closeQuietly(conn);
            failed(error);
        } finally {
            lock.unlock();
        }
        return new ChangeSourceException("the listener lost its PostgreSQL connection to " + database.describe()
                + ": " + lastError + ". It reconnects on the next call; the caller re-reads its batch.",
                error);
    }

    private void failed(SQLException error) {
        failures++;
        lastError = Database.rootMessage(error);
        long backoff = RECONNECT.backoffCeiling(failures).toMillis();
        long jittered = (long) (backoff * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(jittered);
        if (failures == 1) {
            LOG.warn("Listener connection to PostgreSQL at {} failed: {}", database.describe(), lastError);
        } else {
            LOG.debug("Listener connection attempt {} to PostgreSQL at {} failed: {}", failures,
                    database.describe(), lastError);
        }
    }

    private static void closeQuietly(Connection conn) {
        Database.closeQuietly(conn, "the listener connection");
    }
}
