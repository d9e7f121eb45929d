package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One active listener per database and consumer name: a session-level advisory lock held on a connection of
 * its own. PostgreSQL releases the lock the moment that session ends (the process dies, the connection drops,
 * an administrator terminates the backend), so a standby polling {@link #acquire} takes over within its retry
 * interval. Keep-alive and the socket timeout on the connection (see {@link Database#connect}) bound how long
 * a silently vanished peer takes to be noticed by {@link #isHeld}.
 */
@Singleton
final class AdvisoryLockLeadership implements Leadership, Lifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLockLeadership.class);
    private static final long RETRY_MILLIS = 500;
    // The application confirms its lease with isHeld() a few times a second: a hung server must not stall that long.
    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    // The lock key as pg_locks shows a bigint advisory lock: classid = high 32 bits, objid = low 32, objsubid = 1.
    // Advisory locks are per database, but pg_locks lists the whole cluster's: the same consumer name observed in
    // another database of the cluster holds the same key there, and is not our leader.
    private static final String LOCK_MATCH = """
            locktype = 'advisory' and objsubid = 1 and granted
            and database = (select oid from pg_database where datname = current_database())
            and classid::bigint = (? >> 32) and objid::bigint = (? & 4294967295)
            """;

    private final Database database;
    private final String consumer;
    private final long key;
    // Not synchronized: the lease's virtual thread holds it across socket reads, where Java 21 would pin its carrier.
    private final ReentrantLock lock = new ReentrantLock();
    private Connection connection;
    private boolean held;
    private volatile String unreachable;
    // Once per stand-by period, not per acquire() call: the pipeline calls it every poll interval.
    private boolean reportedWaiting;

    @Inject
    AdvisoryLockLeadership(Database database, ListenerSettings settings) {
        this.database = database;
        this.consumer = settings.consumer();
        this.key = lockKey(consumer);
    }

    /**
     * A stable, non-negative 64-bit key for the consumer name. Derived from SHA-256 rather than
     * {@code String.hashCode} so that it cannot change with the JVM and rarely collides with other
     * applications' advisory locks.
     */
    static long lockKey(String consumer) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("pg-observer/consumer/" + consumer).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public boolean acquire(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        while (true) {
            lock.lock();
            try {
                if (held && isHeld()) {
                    return true;
                }
                if (tryLock()) {
                    reportedWaiting = false;
                    LOG.info("This process is now the active listener for consumer '{}'", consumer);
                    return true;
                }
            } finally {
                lock.unlock();
            }
            // Only when the server refused the lock: with PostgreSQL unreachable, no other process need hold it, and
            // "another process is active" would mislead whoever reads the log into looking for one.
            if (!reportedWaiting && unreachable == null) {
                LOG.info("Standing by: another process is the active listener for consumer '{}'", consumer);
                reportedWaiting = true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS)));
        }
    }

    /**
     * Checks with the server: false when the session is gone, or holds the lock no longer. A check the server did not
     * answer in time (a slow database, not a dead session) says nothing either way: it throws, the session and its
     * lock stay, and the caller asks again within its lease. Closing the session there would give the lock away.
     */
    @Override
    public boolean isHeld() {
        lock.lock();
        try {
            if (!held || connection == null) {
                return false;
            }
            try {
                // One round trip: a dead session fails the query, a live one says whether it still holds the lock.
                if (!holdsLock(connection)) {
                    lostLeadership("the lock is no longer held by this session");
                }
            } catch (SQLException e) {
                if (unanswered(e)) {
                    throw new IllegalStateException("the lock check got no answer within "
                            + VALIDATION_TIMEOUT_SECONDS + " s: " + Database.rootMessage(e), e);
                }
                if (Thread.currentThread().isInterrupted()) {
                    // A stop interrupted the check itself (PgJDBC's socket closes on a virtual thread's interrupt):
                    // the session ends and the lock with it, which is what a stop does anyway. Not a lost role.
                    LOG.debug("The lock check of consumer '{}' was interrupted by a stop; releasing", consumer);
                    held = false;
                    closeConnection();
                } else {
                    lostLeadership("its PostgreSQL session is gone, and the lock with it ("
                            + Database.rootMessage(e) + ")");
                }
            }
            return held;
        } finally {
            lock.unlock();
        }
    }

    /** A check cancelled by its own timeout, on a session that is still open. */
    private boolean unanswered(SQLException e) {
        try {
            return "57014".equals(e.getSQLState()) && connection != null && !connection.isClosed();
        } catch (SQLException closed) {
            return false;
        }
    }

    @Override
    public void release() {
        lock.lock();
        try {
            if (held && connection != null) {
                try (PreparedStatement statement = connection.prepareStatement("select pg_advisory_unlock(?)")) {
                    statement.setLong(1, key);
                    statement.execute();
                } catch (SQLException e) {
                    LOG.debug("Releasing the leadership lock failed; closing its session releases it", e);
                }
            }
            held = false;
            closeConnection();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether any session holds the lock, this one or another: for {@code status}. Reads {@code pg_locks} on a
     * pooled connection, so it works on a process that is not leading.
     */
    @Override
    public boolean isHeldByAnyone() {
        return database.jdbi().withHandle(handle -> handle.select(
                        "select exists (select 1 from pg_locks where " + LOCK_MATCH + ")", key, key)
                .mapTo(Boolean.class)
                .one());
    }

    /**
     * The lock session's application name: the consumer's key (so that consumers sharing a database are told
     * apart) and this process, within PostgreSQL's 63 characters.
     */
    private String sessionName() {
        String name = "leader " + Long.toHexString(key) + " " + ProcessName.CURRENT;
        return name.length() > 51 ? name.substring(0, 51) : name;
    }

    /**
     * The processes whose lock sessions compete for this consumer: each standby keeps its session open between
     * attempts, so {@code pg_stat_activity} lists them beside the holder, whose backend holds the lock.
     */
    @Override
    public List<Member> members() {
        String prefix = "pg-observer leader " + Long.toHexString(key) + " ";
        String sql = "select substr(a.application_name, length(?) + 1) as process, a.backend_start, "
                + "exists (select 1 from pg_locks l where l.pid = a.pid and (" + LOCK_MATCH + ")) as holder "
                + "from pg_stat_activity a "
                + "where a.datname = current_database() and starts_with(a.application_name, ?) "
                + "order by holder desc, a.backend_start";
        return database.jdbi().withHandle(handle -> handle.select(sql, prefix, key, key, prefix)
                .map((rs, ctx) -> new Member(rs.getString("process"), rs.getBoolean("holder"),
                        rs.getObject("backend_start", java.time.OffsetDateTime.class).toInstant()))
                .list());
    }

    /** Why this process cannot compete for the lock (the database is unreachable), or null. */
    @Override
    public String problem() {
        return unreachable;
    }

    @Override
    public String name() {
        return "postgres-leadership";
    }

    @Override
    public int order() {
        return ORDER_STORAGE + 10;
    }

    @Override
    public void start() {
        // Nothing to do before acquire().
    }

    @Override
    public void stop() {
        release();
    }

    private boolean tryLock() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = database.connect(sessionName());
            }
            try (PreparedStatement statement = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
                statement.setLong(1, key);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    held = rs.getBoolean(1);
                }
            }
            if (unreachable != null) {
                LOG.info("PostgreSQL at {} is reachable again for the leadership lock of consumer '{}'",
                        database.describe(), consumer);
            }
            unreachable = null;
        } catch (SQLException e) {
            // Once per outage: a standby retries twice a second.
            if (unreachable == null) {
                LOG.warn("Cannot reach PostgreSQL at {} to take the leadership lock for consumer '{}': {}",
                        database.describe(), consumer, Database.rootMessage(e));
            }
            unreachable = "cannot reach PostgreSQL at " + database.describe() + " to take the consumer's lock: "
                    + Database.rootMessage(e);
            held = false;
            closeConnection();
        }
        return held;
    }

    private boolean holdsLock(Connection conn) throws SQLException {
        String sql = "select exists (select 1 from pg_locks where " + LOCK_MATCH + " and pid = pg_backend_pid())";
        try (PreparedStatement statement = conn.prepareStatement(sql)) {
            statement.setQueryTimeout(VALIDATION_TIMEOUT_SECONDS);
            statement.setLong(1, key);
            statement.setLong(2, key);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void lostLeadership(String reason) {
        LOG.warn("Lost the active-listener role for consumer '{}': {}", consumer, reason);
        held = false;
        closeConnection();
    }

    private void closeConnection() {
        Database.closeQuietly(connection, "the leadership connection");
        connection = null;
    }
}
