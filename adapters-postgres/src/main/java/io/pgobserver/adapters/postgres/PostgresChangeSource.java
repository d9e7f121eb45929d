package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The change listener: reads {@code pgobserver.change_log} in (txid, id) order, wakes on
 * {@code NOTIFY pgobserver_events} and polls every {@code listener.poll_interval} as a fallback.
 *
 * <h2>Which rows are safe to read</h2>
 * Row ids are handed out when a row is inserted, but rows become visible when their transaction commits, and
 * transactions commit in any order: a long transaction A can insert id 10, transaction B insert id 11 and commit,
 * and A commit a minute later. A reader going by id would see 11, move its checkpoint past 10 and never see A's
 * row. So positions are (txid, id), and a row is read only when its transaction id is below the {@code xmin}
 * of the reading statement's snapshot ({@code pg_snapshot_xmin(pg_current_snapshot())}), as PgQ does:
 * <ul>
 *   <li>every transaction with an id below xmin has ended, committed or aborted: its rows are all visible to
 *       the statement (or never will be), and it will write no more;</li>
 *   <li>transaction ids only grow, and xmin is at most the next id to be assigned, so no transaction that
 *       starts later can get an id below it.</li>
 * </ul>
 * Hence the rows below xmin form a prefix of the (txid, id) order that never changes again, and reading it in
 * order and checkpointing the last position read skips nothing. A row of A (lower txid) waits until A ends,
 * and is then read before B's row even though B committed first. The same statement computes the snapshot and
 * reads the rows, so the two agree. Our own read runs in autocommit without a transaction id, so it holds
 * nothing back.
 *
 * <p>The price: while any transaction that has written something (in any database of the cluster: xmin is
 * cluster-wide; including prepared transactions) stays open, rows of transactions that started after it wait.
 * Delivery is delayed, never lost; {@link #lag} shows it. The full PgQ scheme (xmin, xmax and the in-progress
 * list) would let later committed transactions through, but then a single (txid, id) checkpoint could pass the
 * open one, so it would need a checkpoint per open transaction; the xmin horizon keeps the checkpoint a single
 * position. Also because of this, a commit notification may arrive while a row is still held back: the poll
 * interval picks it up once the blocking transaction ends.
 *
 * <p>Transaction ids are 64-bit ({@code xid8}) and never wrap. They restart low only in a new cluster filled
 * by a logical dump and restore; reset the checkpoints after one (pg_upgrade keeps the counter).
 *
 * <p>The listener holds one connection of its own (LISTEN is session state). When it breaks, or PostgreSQL
 * restarts, {@link #poll} throws; the next call reconnects, with exponential backoff, and re-reads from the
 * position the caller passes, so nothing is lost or skipped.
 */
@Singleton
final class PostgresChangeSource implements ChangeSource, Lifecycle {

    static final String CHANNEL = "pgobserver_events";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeSource.class);
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    static final String SELECT_EVENTS = """
            select event_id::text as event_id, txid::text::bigint as txid, id as "offset", entity_type, entity_id,
                   kind, before::text as before, after::text as after, occurred_at, traceparent, tracestate
              from pgobserver.change_log cl
             where (cl.txid, cl.id) > (?::text::xid8, ?)
               and cl.txid < pg_snapshot_xmin(pg_current_snapshot())
             order by cl.txid, cl.id  -- qualified: the bare name would sort by the bigint alias, without the index
             limit ?
            """;

    private static final String SELECT_LAG = """
            select count(*) as events,
                   coalesce(floor(extract(epoch from (clock_timestamp() - min(occurred_at))) * 1000), 0)::bigint
                       as age_millis
              from pgobserver.change_log
             where (txid, id) > (:txid::text::xid8, :offset)
            """;

    private final Database database;
    private final Duration pollInterval;
    private final Object connectionLock = new Object();
    private volatile Connection connection;
    private volatile int failures;
    private volatile long retryAtNanos;
    private volatile String lastError = "";

    @Inject
    PostgresChangeSource(Database database, ListenerSettings settings) {
        this.database = database;
        this.pollInterval = settings.pollInterval();
    }

    @Override
    public List<ChangeEvent> poll(Position after, int maxEvents, Duration maxWait)
            throws ChangeSourceException, InterruptedException {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        while (true) {
            Connection conn = connection(deadline);
            try {
                // Drain what has arrived so that only a notification sent after this read ends the wait below.
                PGConnection pg = conn.unwrap(PGConnection.class);
                pg.getNotifications();
                List<ChangeEvent> events = read(conn, after, maxEvents);
                long remaining = deadline - System.nanoTime();
                if (!events.isEmpty() || remaining <= 0) {
                    return events;
                }
                long waitMillis = Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), pollInterval.toMillis());
                pg.getNotifications((int) Math.max(1, Math.min(Integer.MAX_VALUE, waitMillis)));
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for change events");
                }
            } catch (SQLException e) {
                throw lost(conn, e);
            } catch (RuntimeException e) {
                // The schema's constraints should make this impossible; if a row still cannot be read, say which.
                throw new ChangeSourceException("a change_log row after position " + after + " cannot be read as an "
                        + "event: " + Database.rootMessage(e) + ". Fix or delete that row in pgobserver.change_log.", e);
            }
        }
    }

    @Override
    public Lag lag(Position after) throws ChangeSourceException {
        try {
            return database.jdbi().withHandle(handle -> handle.createQuery(SELECT_LAG)
                    .bind("txid", after.txid())
                    .bind("offset", after.offset())
                    .map((rs, ctx) -> new Lag(rs.getLong("events"), Duration.ofMillis(rs.getLong("age_millis"))))
                    .one());
        } catch (RuntimeException e) {
            throw new ChangeSourceException("cannot read the listener lag from PostgreSQL at " + database.describe()
                    + ": " + Database.rootMessage(e), e);
        }
    }

    @Override
    public String name() {
        return "postgres-listener";
    }

    @Override
    public int order() {
        return ORDER_STORAGE + 10;
    }

    @Override
    public void start() {
        // Connects on the first poll, so a standby that never leads holds no listener connection.
    }

    @Override
    public void stop() {
        synchronized (connectionLock) {
            closeQuietly(connection);
            connection = null;
        }
    }

    private static List<ChangeEvent> read(Connection conn, Position after, int maxEvents) throws SQLException {
        try (PreparedStatement statement = conn.prepareStatement(SELECT_EVENTS)) {
            statement.setLong(1, after.txid());
            statement.setLong(2, after.offset());
            statement.setInt(3, maxEvents);
            try (ResultSet rs = statement.executeQuery()) {
                List<ChangeEvent> events = new ArrayList<>();
                while (rs.next()) {
                    try {
                        events.add(EventRows.read(rs));
                    } catch (RuntimeException e) {
                        quarantine(conn, rs.getLong("offset"), e);
                    }
                }
                return events;
            }
        }
    }

    /**
     * A row PostgreSQL stored but that cannot become an event here (jsonb nested deeper than the observer's JSON
     * limit, say): it goes to {@code dead_letters} (once; re-reads find it there) with the reason, and the stream
     * goes on. Stopping the stream at it would hold back every later event for good. The dead letter copies no
     * row image (reading it back would fail the same way): the row stays in {@code change_log} under its id.
     */
    private static void quarantine(Connection conn, long offset, RuntimeException error) throws SQLException {
        String reason = "change_log row " + offset + " cannot be read as an event: " + Database.rootMessage(error)
                + ". Its row images stay in pgobserver.change_log (id " + offset + ").";
        try (PreparedStatement insert = conn.prepareStatement(QUARANTINE)) {
            insert.setString(1, reason);
            insert.setLong(2, offset);
            if (insert.executeUpdate() > 0) {
                LOG.warn("{} Dead-lettered as observer '{}', action type '{}'; later events go on", reason,
                        UNREADABLE_OBSERVER, UNREADABLE_ACTION);
            }
        }
    }

    /** Dead letters of rows that could not be read are filed under this observer name and action type. */
    static final String UNREADABLE_OBSERVER = "(listener)";
    static final String UNREADABLE_ACTION = "decode";

    private static final String QUARANTINE = """
            insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, occurred_at,
                                                 traceparent, tracestate, observer, action_index, action_type, error,
                                                 attempts, failed_at)
            select l.event_id::text, l.txid::text::bigint, l.id, l.entity_type, l.entity_id, l.kind, l.occurred_at,
                   l.traceparent, l.tracestate, '%s', -1, '%s', ?, 1, now()
              from pgobserver.change_log l
             where l.id = ?
               and not exists (select 1 from pgobserver.dead_letters d
                                where d.event_id = l.event_id::text and d.action_type = '%s')
            """.formatted(UNREADABLE_OBSERVER, UNREADABLE_ACTION, UNREADABLE_ACTION);

    /** The open listening connection, or a new one once the backoff after the last failure has passed. */
    private Connection connection(long deadline) throws ChangeSourceException, InterruptedException {
        long wait;
        synchronized (connectionLock) {
            Connection current = connection;
            if (current != null) {
                return current;
            }
            wait = retryAtNanos - System.nanoTime();
        }
        // Sleep outside the lock, so that stop() never waits for a backoff.
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
        synchronized (connectionLock) {
            if (connection != null) {
                return connection;
            }
            Connection opened = null;
            try {
                opened = database.connect("listener");
                try (Statement statement = opened.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
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
        }
    }

    private ChangeSourceException lost(Connection conn, SQLException error) {
        synchronized (connectionLock) {
            if (connection != conn) {
                // stop() closed it under a running poll: a shutdown, not an outage.
                return new ChangeSourceException("the listener was stopped", error);
            }
            connection = null;
            closeQuietly(conn);
            failed(error);
        }
        return new ChangeSourceException("the listener lost its PostgreSQL connection to " + database.describe()
                + ": " + lastError + ". It reconnects on the next poll and re-reads from the caller's position.",
                error);
    }

    private void failed(SQLException error) {
        failures++;
        lastError = Database.rootMessage(error);
        long backoff = Math.min(MAX_BACKOFF_MILLIS, MIN_BACKOFF_MILLIS << Math.min(failures - 1, 16));
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
        if (conn == null) {
            return;
        }
        try {
            conn.close();
        } catch (SQLException e) {
            LOG.debug("Closing the listener connection failed", e);
        }
    }
}
