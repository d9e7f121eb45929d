package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.OpenTransaction;
import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The change listener: reads {@code pgobserver.change_log} in batches between snapshots, as PgQ does, wakes on
 * {@code NOTIFY pgobserver_events} and polls every {@code listener.poll_interval} as a fallback.
 *
 * <h2>Which rows are in a batch</h2>
 * A batch is every row whose transaction is visible in its {@code to} snapshot and was not in its {@code from}
 * snapshot. A transaction becomes visible exactly once, so every committed row lands in exactly one batch, and
 * the batches follow commit order. A transaction still open is in no batch: it delays only its own rows, not
 * those of transactions that commit after it began. The caller takes {@code to} with {@link #snapshot} before it
 * reads: the read's own MVCC snapshot is then at least as new, so it sees every row of every transaction {@code to}
 * counts as committed. Rows of aborted transactions are invisible to the read whatever their xid. Inside a batch
 * rows come in id order, which for any one row is its writers' commit order (the second writer waits on the row
 * lock and takes its id after).
 *
 * <h2>Reading a batch in time proportional to the page</h2>
 * A snapshot is taken as PgQ's ticker takes it, in a transaction with an id of its own, the <em>taker</em>, and
 * with the last change_log id handed out just before the taker's id was assigned ({@code ids_before}) and just
 * after the snapshot ({@code ids_after}): {@link Snapshot.Bounds}, stored with each recorded batch. A transaction
 * not visible in {@code from} is then one of:
 * <ul>
 *   <li>below the taker: in {@code from}'s in-progress list, or from {@code xmax(from)} up to the taker. PostgreSQL's
 *       {@code xmax} is the newest finished id plus one, not the next id to hand out, so a transaction that holds
 *       the newest id while nothing younger has finished is running but in no list: bounding the search by
 *       {@code xmax} alone would lose its rows. These are few (they were running when {@code from} was taken), and
 *       each one's rows are looked up on the {@code (txid, id)} index;</li>
 *   <li>above the taker: it got its id after the taker, so each of its rows got its id after {@code ids_before}
 *       (the statement trigger of V3 assigns a transaction's id before its first row draws one, and the sequence
 *       has {@code CACHE 1}), and, if {@code to} sees it, before {@code ids_after(to)}. The primary key is walked
 *       over that range only, keeping the rows {@code to} sees.</li>
 * </ul>
 * A page costs its own rows and one index step per transaction that was running at {@code from}. Rows of
 * transactions still open at {@code to} that lie in the range are stepped over once; when they commit they are
 * found through the in-progress list of a later batch, on their own index. A batch whose snapshots lack bounds (one
 * recorded by an older release) is read the older way, one index step per transaction of the batch on every page.
 * Rows inserted with explicit ids ({@code OVERRIDING SYSTEM VALUE}) break the bounds: the id column is
 * {@code GENERATED ALWAYS} so that nobody does it by accident. See {@link BatchQuery}.
 *
 * <p>A snapshot survives any crash after it: the taker writes its row in {@code pgobserver.snapshot_takers} and
 * commits synchronously, which flushes its commit and every commit it saw. Without that, a crash between taking a
 * snapshot and recording it could lose those commits (a transaction that writes no WAL never waits for a flush, on
 * any setting), the server would hand their ids out again, and the recorded snapshot would count the transactions
 * that get them as read ({@code SnapshotCrashIT}).
 *
 * <p>Transaction ids are 64-bit ({@code xid8}) and never wrap. They restart low only in a new cluster filled
 * by a logical dump and restore; reset the checkpoints after one (pg_upgrade keeps the counter).
 *
 * <p>The listener holds one connection of its own ({@link ListenerConnection}). When it breaks, or PostgreSQL
 * restarts, the call throws; the next call reconnects, with exponential backoff, and the caller re-reads the
 * same batch, so nothing is lost or skipped. Rows that cannot become events go to {@link UnreadableRows}.
 *
 * <h2>Pages bounded in bytes</h2>
 * Rows may hold documents of hundreds of KB, and a page of {@code listener.batch_size} of them would hold more than
 * the heap. A page ends at {@code batch_size} rows or once its events hold {@link ListenerSettings#pageBytes()}
 * (by {@link ChangeEvent#approximateBytes()}, one event at least), whichever comes first; the next page starts after
 * its last row. The rows come through a cursor, a few at a time: as many as the largest event seen lately says fit
 * in the page's bytes ({@link PageSize}), one at first. A burst of rows much larger than those before them can
 * overshoot once, by the rows the driver fetched at the older size. {@link PageReader} reads the pages, as it does
 * a replay's.
 */
@Singleton
final class PostgresChangeSource implements ChangeSource, Lifecycle {

    // The taker writes its row in snapshot_takers so that its commit is flushed before the snapshot is used: see V5.
    private static final String TAKE_SNAPSHOT = """
            with taken as (select * from pgobserver.take_snapshot()),
                 noted as (insert into pgobserver.snapshot_takers (consumer, taker_xid, taken_at)
                           select ?, taker_xid, now() from taken
                           on conflict (consumer) do update
                               set taker_xid = excluded.taker_xid, taken_at = excluded.taken_at)
            select snapshot::text as snapshot, taker_xid::text::bigint as taker_xid, ids_before, ids_after
              from taken
            """;

    private final String consumer;
    private final ListenerConnection listener;
    private final UnreadableRows unreadable;
    private final ListenerLag lag;
    private final OpenWriters openWriters;
    private final Database database;
    private final Duration pollInterval;
    private final PageReader pages;

    @Inject
    PostgresChangeSource(Database database, ListenerSettings settings) {
        this.database = database;
        this.listener = new ListenerConnection(database);
        this.consumer = settings.consumer();
        this.unreadable = new UnreadableRows(settings.consumer());
        this.lag = new ListenerLag(database);
        this.openWriters = new OpenWriters(database);
        this.pollInterval = settings.pollInterval();
        this.pages = new PageReader(settings.pageBytes());
    }

    @Override
    public Snapshot snapshot() throws ChangeSourceException {
        return listener.use(conn -> {
            try (PreparedStatement statement = conn.prepareStatement(TAKE_SNAPSHOT)) {
                statement.setString(1, consumer);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    return new Snapshot(rs.getString("snapshot"), new Snapshot.Bounds(rs.getLong("taker_xid"),
                            rs.getLong("ids_before"), rs.getLong("ids_after")));
                }
            }
        });
    }

    @Override
    public Page read(Batch batch, long afterId, int maxEvents) throws ChangeSourceException {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        return listener.use(conn -> read(conn, batch, afterId, maxEvents));
    }

    @Override
    public void awaitChanges(Duration maxWait) throws ChangeSourceException, InterruptedException {
        listener.awaitNotification(maxWait, pollInterval);
    }

    @Override
    public Lag lag(Snapshot done) throws ChangeSourceException {
        try {
            return lag.of(done);
        } catch (RuntimeException e) {
            throw new ChangeSourceException("cannot read the listener lag from PostgreSQL at " + database.describe()
                    + ": " + Database.rootMessage(e), e);
        }
    }

    @Override
    public Optional<OpenTransaction> oldestOpenWriter() throws ChangeSourceException {
        try {
            return openWriters.oldest();
        } catch (RuntimeException e) {
            throw new ChangeSourceException("cannot read the open transactions from PostgreSQL at "
                    + database.describe() + ": " + Database.rootMessage(e), e);
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
        listener.close();
    }

    /**
     * A page: every row read counts as passed, read or dead-lettered; fewer rows than asked ends the batch. Reading
     * stops early once the events hold the page's bytes: the rows after are read by the next page. The rows come
     * through a cursor ({@link PageReader}), which needs a transaction of their own.
     */
    private Page read(Connection conn, Batch batch, long afterId, int maxEvents) throws SQLException {
        conn.setAutoCommit(false);
        SQLException failed = null;
        try {
            Page page = readPage(conn, batch, afterId, maxEvents);
            conn.commit();
            return page;
        } catch (SQLException e) {
            failed = e;
            throw e;
        } finally {
            try {
                conn.setAutoCommit(true); // ends the transaction: rolled back, unless committed above
            } catch (SQLException e) {
                if (failed == null) {
                    throw e;
                }
                failed.addSuppressed(e);
            }
        }
    }

    private Page readPage(Connection conn, Batch batch, long afterId, int maxEvents) throws SQLException {
        try (PreparedStatement statement = BatchQuery.prepare(conn, batch, afterId, maxEvents)) {
            PageReader.Read read = pages.read(statement, afterId, maxEvents,
                    (id, error) -> unreadable.quarantine(conn, id, error));
            return new Page(read.events(), read.lastId(), !read.full() && read.rows() < maxEvents);
        }
    }
}
