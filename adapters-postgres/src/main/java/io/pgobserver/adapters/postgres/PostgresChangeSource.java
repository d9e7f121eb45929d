package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.DeliveryKey;
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
 * The change listener: reads {@code pgobserver.change_log} in batches between snapshots, as PgQ does, wakes on
 * {@code NOTIFY pgobserver_events} and polls every {@code listener.poll_interval} as a fallback.
 *
 * <h2>Which rows are in a batch</h2>
 * A batch is every row whose transaction is visible in its {@code to} snapshot and was not in its {@code from}
 * snapshot. A transaction becomes visible exactly once, so every committed row lands in exactly one batch, and
 * the batches follow commit order. A transaction still open is in no batch: it delays only its own rows, not
 * those of transactions that commit after it began. Which transactions are new between {@code from} and
 * {@code to}:
 * <ul>
 *   <li>below {@code xmin(from)}: visible in {@code from} already, never new;</li>
 *   <li>from {@code xmin(from)} to {@code xmax(from)}: new only if in {@code from}'s in-progress list and visible
 *       in {@code to};</li>
 *   <li>from {@code xmax(from)} to {@code xmax(to)}: new if visible in {@code to}.</li>
 * </ul>
 * So a batch is two lookups on the {@code (txid, id)} index, whatever the age of the oldest open transaction.
 * The caller takes {@code to} with {@link #snapshot} before it reads: the read's own MVCC snapshot is then at
 * least as new, so it sees every row of every transaction {@code to} counts as committed. Rows of aborted
 * transactions are invisible to the read whatever their xid. Inside a batch rows come in id order, which for any
 * one row is its writers' commit order (the second writer waits on the row lock and takes its id after).
 *
 * <p>Transaction ids are 64-bit ({@code xid8}) and never wrap. They restart low only in a new cluster filled
 * by a logical dump and restore; reset the checkpoints after one (pg_upgrade keeps the counter).
 *
 * <p>The listener holds one connection of its own (LISTEN is session state). When it breaks, or PostgreSQL
 * restarts, the call throws; the next call reconnects, with exponential backoff, and the caller re-reads the
 * same batch, so nothing is lost or skipped.
 */
@Singleton
final class PostgresChangeSource implements ChangeSource, Lifecycle {

    static final String CHANNEL = "pgobserver_events";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeSource.class);
    private static final long MIN_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    /*
     * Planned to touch only the batch's own rows, whatever lies behind it in the log and however old an open
     * transaction is. The batch's transactions are those in progress at "from" (few: bounded by concurrency) and
     * those that began after it and left rows in the log, found by skipping along the (txid, id) index one
     * transaction at a time; of these, the ones "to" sees committed. Each one's rows come from the same index in
     * id order, at most a page of them, so a page costs (transactions in the batch) x (page) rows at most: a huge
     * transaction streams page by page at the same cost per page.
     * The row comparison "(txid, id) > (x, after) and txid <= x" is the index's own order: written as
     * "txid = x and id > after" the planner, whose statistics often see a few huge transactions, walks the primary
     * key instead and filters every row of the log on txid. Snapshots travel as text and are cast here.
     * Parameters: from, to, to, from, afterId, page, to, page.
     */
    static final String SELECT_BATCH = """
            with recursive later(x) as (
                (select c.txid from pgobserver.change_log c
                  where c.txid >= pg_snapshot_xmax(?::pg_snapshot) and c.txid < pg_snapshot_xmax(?::pg_snapshot)
                  order by c.txid limit 1)
                union all
                select (select c.txid from pgobserver.change_log c
                         where c.txid > later.x and c.txid < pg_snapshot_xmax(?::pg_snapshot)
                         order by c.txid limit 1)
                  from later where later.x is not null
            ), candidates(x) as (
                select x from pg_snapshot_xip(?::pg_snapshot) x
                union all
                select x from later where x is not null
            )
            select event_id::text as event_id, txid::text::bigint as txid, id as "offset", entity_type, entity_id,
                   kind, before::text as before, after::text as after, occurred_at, traceparent, tracestate
              from candidates t
             cross join lateral (select * from pgobserver.change_log c
                                  where (c.txid, c.id) > (t.x, ?) and c.txid <= t.x
                                  order by c.txid, c.id
                                  limit ?) cl
             where pg_visible_in_snapshot(t.x, ?::pg_snapshot)
             order by cl.id
             limit ?
            """;

    // Rows not visible in done: every one has a txid at or above done's xmin, which the index finds.
    private static final String SELECT_LAG = """
            select count(*) as events,
                   coalesce(floor(extract(epoch from (clock_timestamp() - min(occurred_at))) * 1000), 0)::bigint
                       as age_millis
              from pgobserver.change_log
             where txid >= pg_snapshot_xmin(:done::pg_snapshot)
               and not pg_visible_in_snapshot(txid, :done::pg_snapshot)
            """;

    private final Database database;
    private final String consumer;
    private final Duration pollInterval;
    private final Object connectionLock = new Object();
    private volatile Connection connection;
    private volatile int failures;
    private volatile long retryAtNanos;
    private volatile String lastError = "";

    @Inject
    PostgresChangeSource(Database database, ListenerSettings settings) {
        this.database = database;
        this.consumer = settings.consumer();
        this.pollInterval = settings.pollInterval();
    }

    @Override
    public Snapshot snapshot() throws ChangeSourceException {
        Connection conn = connectionNow();
        try (Statement statement = conn.createStatement();
             ResultSet rs = statement.executeQuery("select pg_current_snapshot()::text")) {
            rs.next();
            return new Snapshot(rs.getString(1));
        } catch (SQLException e) {
            throw lost(conn, e);
        }
    }

    @Override
    public List<ChangeEvent> read(Batch batch, long afterId, int maxEvents) throws ChangeSourceException {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        Connection conn = connectionNow();
        try {
            return read(conn, batch, afterId, maxEvents);
        } catch (SQLException e) {
            throw lost(conn, e);
        }
    }

    @Override
    public void awaitChanges(Duration maxWait) throws ChangeSourceException, InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        Connection conn = connection(deadline);
        try {
            PGConnection pg = conn.unwrap(PGConnection.class);
            // A notification that arrived since the caller's last read may be for rows it has not seen.
            org.postgresql.PGNotification[] pending = pg.getNotifications();
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

    @Override
    public Lag lag(Snapshot done) throws ChangeSourceException {
        try {
            return database.jdbi().withHandle(handle -> handle.createQuery(SELECT_LAG)
                    .bind("done", done.value())
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
        // Connects on the first call, so a standby that never leads holds no listener connection.
    }

    @Override
    public void stop() {
        synchronized (connectionLock) {
            closeQuietly(connection);
            connection = null;
        }
    }

    private List<ChangeEvent> read(Connection conn, Batch batch, long afterId, int maxEvents) throws SQLException {
        try (PreparedStatement statement = conn.prepareStatement(SELECT_BATCH)) {
            bindBatch(statement, batch, afterId, maxEvents);
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

    /** Binds the parameters of {@link #SELECT_BATCH}. */
    static void bindBatch(PreparedStatement statement, Batch batch, long afterId, int page) throws SQLException {
        String from = batch.from().value();
        String to = batch.to().value();
        statement.setString(1, from);
        statement.setString(2, to);
        statement.setString(3, to);
        statement.setString(4, from);
        statement.setLong(5, afterId);
        statement.setInt(6, page);
        statement.setString(7, to);
        statement.setInt(8, page);
    }

    /**
     * A row PostgreSQL stored but that cannot become an event here (jsonb nested deeper than the observer's JSON
     * limit, say): it goes to {@code dead_letters} as a letter of this consumer (once; re-reads find it there, and
     * its delivery key is settled with it) with the reason, and the stream goes on. Stopping the stream at it
     * would hold back every later event for good. The dead letter copies no row image (reading it back would fail
     * the same way): the row stays in {@code change_log} under its id.
     */
    private void quarantine(Connection conn, long offset, RuntimeException error) throws SQLException {
        String reason = "change_log row " + offset + " cannot be read as an event: " + Database.rootMessage(error)
                + ". Its row images stay in pgobserver.change_log (id " + offset + ").";
        DeliveryKey key = new DeliveryKey(consumer, offset, UNREADABLE_OBSERVER, UNREADABLE_ACTION);
        try (PreparedStatement insert = conn.prepareStatement(QUARANTINE)) {
            insert.setString(1, consumer);
            insert.setString(2, reason.replace('\u0000', '\uFFFD'));
            insert.setLong(3, offset);
            insert.setString(4, consumer);
            insert.setString(5, key.id());
            insert.setString(6, consumer);
            try (ResultSet rs = insert.executeQuery()) {
                if (rs.next()) {
                    LOG.warn("{} Dead-lettered for consumer '{}' as observer '{}', action '{}'; later events go on",
                            reason, consumer, UNREADABLE_OBSERVER, UNREADABLE_ACTION);
                }
            }
        }
    }

    /** Dead letters of rows that could not be read are filed under this observer name and action type (and key). */
    static final String UNREADABLE_OBSERVER = "(listener)";
    static final String UNREADABLE_ACTION = "decode";

    // Parameters: consumer, error, offset, consumer, delivery id, consumer.
    private static final String QUARANTINE = """
            with letter as (
                insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind,
                                                     occurred_at, traceparent, tracestate, consumer, observer,
                                                     action_index, action_key, action_type, error, attempts, failed_at)
                select l.event_id::text, l.txid::text::bigint, l.id, l.entity_type, l.entity_id, l.kind, l.occurred_at,
                       l.traceparent, l.tracestate, ?, '%1$s', -1, '%2$s', '%2$s', ?, 1, now()
                  from pgobserver.change_log l
                 where l.id = ?
                   and not exists (select 1 from pgobserver.dead_letters d
                                    where d."offset" = l.id and d.consumer = ? and d.action_type = '%2$s')
                returning id
            ), settled as (
                insert into pgobserver.deliveries (delivery_id, consumer)
                select ?, ? where exists (select 1 from letter)
                on conflict do nothing
            )
            select id from letter
            """.formatted(UNREADABLE_OBSERVER, UNREADABLE_ACTION);

    /** The open listening connection, or an error at once while the backoff after the last failure runs. */
    private Connection connectionNow() throws ChangeSourceException {
        try {
            return connection(System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChangeSourceException("interrupted while connecting the listener", e);
        }
    }

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
                // stop() closed it under a running call: a shutdown, not an outage.
                return new ChangeSourceException("the listener was stopped", error);
            }
            connection = null;
            closeQuietly(conn);
            failed(error);
        }
        return new ChangeSourceException("the listener lost its PostgreSQL connection to " + database.describe()
                + ": " + lastError + ". It reconnects on the next call; the caller re-reads its batch.",
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
