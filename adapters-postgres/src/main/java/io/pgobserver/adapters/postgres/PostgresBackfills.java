package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.TableName;
import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import io.pgobserver.domain.port.Backfills;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.mapper.RowMapper;

import java.sql.Array;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backfills in {@code pgobserver.backfills}; each chunk is one READ COMMITTED transaction that locks the backfill's
 * row, runs {@link BackfillTable#chunkSql} and records the progress, so a crash loses at most the chunk in flight
 * (rolled back whole: no read change of it was logged) and a resume starts after the last finished one.
 */
@Singleton
final class PostgresBackfills implements Backfills {

    private static final String SELECT = """
            select b.id, b.table_name, b.observer, b.where_clause, b.chunk, b.rows_done, b.state, b.started_at,
                   b.updated_at, b.last_error, b.stopped_at, b.last_key, b.state = 'running' and %s,
                   coalesce((select c.reltuples::bigint from pg_class c join pg_namespace n on n.oid = c.relnamespace
                              where n.nspname || '.' || c.relname = b.table_name and c.reltuples >= 0), -1)
                       as estimated_rows
              from pgobserver.backfills b
            """.formatted(BackfillAttendance.ATTENDED_COLUMN.strip());

    private static final RowMapper<Backfill> MAPPER = (rs, ctx) -> {
        Backfill.State state = Backfill.State.fromWireName(rs.getString("state"));
        String error = rs.getString("last_error");
        String[] lastKey = strings(rs.getArray("last_key"));
        // Every end clears the stop; one left on an ended row (edited by hand) is ignored rather than fail status.
        Backfill.Stop stop = error == null || state != Backfill.State.RUNNING ? null
                : new Backfill.Stop(error, rs.getObject("stopped_at", OffsetDateTime.class).toInstant());
        return new Backfill(rs.getLong("id"), new BackfillRequest(rs.getString("table_name"), rs.getString("observer"),
                rs.getString("where_clause"), rs.getInt("chunk")), rs.getLong("rows_done"), state,
                rs.getObject("started_at", OffsetDateTime.class).toInstant(),
                rs.getObject("updated_at", OffsetDateTime.class).toInstant(), rs.getLong("estimated_rows"), stop,
                rs.getBoolean("attended"), lastKey == null ? List.of() : List.of(lastKey));
    };

    private final Database database;
    private final BackfillStops stops;
    /** Each backfill's table, looked up once per process: the catalog does not change under a backfill. */
    private final Map<Long, BackfillTable> tables = new ConcurrentHashMap<>();

    @Inject
    PostgresBackfills(Database database) {
        this.database = database;
        this.stops = new BackfillStops(database);
    }

    @Override
    public Backfill start(BackfillRequest request) {
        return Outages.answering(database, () -> database.jdbi().inTransaction(handle -> {
            BackfillTable table = BackfillTable.find(handle, request.table());
            Optional<Backfill> running = running(handle, table.qualified());
            if (running.isPresent()) {
                return resume(handle, running.get().id());
            }
            table.checkWhere(handle, request.where());
            // Two starts racing: the unique index on running backfills lets one insert; the other resumes it.
            long id = handle.createQuery("""
                            insert into pgobserver.backfills (table_name, observer, where_clause, chunk)
                            values (:table, :observer, :where, :chunk)
                            on conflict (table_name) where state = 'running' do nothing
                            returning id
                            """)
                    .bind("table", table.qualified()).bind("observer", request.observer())
                    .bind("where", request.where()).bind("chunk", request.chunk())
                    .mapTo(Long.class).findOne()
                    .orElseGet(() -> running(handle, table.qualified()).orElseThrow().id());
            tables.put(id, table);
            return one(handle, id);
        }));
    }

    @Override
    public Optional<Backfill> running(String table) {
        return Outages.answering(database, () -> database.jdbi().withHandle(handle -> running(handle,
                TableName.qualify(table))));
    }

    @Override
    public List<Backfill> running() {
        return Outages.answering(database, () -> database.jdbi().withHandle(handle -> handle.createQuery(SELECT
                + " where b.state = 'running' order by b.id").map(MAPPER).list()));
    }

    @Override
    public Backfill resume(long id) {
        return Outages.answering(database, () -> database.jdbi().inTransaction(handle -> resume(handle, id)));
    }

    private static Backfill resume(Handle handle, long id) {
        BackfillStops.clear(handle, id);
        return one(handle, id);
    }

    /**
     * {@inheritDoc} A chunk that fails for a reason a retry cannot cure (the {@code where} condition fails on a row,
     * a key column was dropped: SQL states 22 and 42), or that reads rows at or before its last key (its condition
     * escaped the key bound), records the backfill as stopped ({@link BackfillStops}) and throws
     * {@link IllegalArgumentException}; anything else (a deadlock, a lost connection, a failover) is rethrown, for
     * the caller to run the chunk again, and stops nothing: a database that does not answer as
     * {@link io.pgobserver.domain.port.DatabaseStoppedAnswering}, as every method here throws it.
     */
    @Override
    public Backfill runChunk(long id) {
        try {
            return chunk(id);
        } catch (JdbiException e) {
            String state = e.getCause() instanceof SQLException sql ? sql.getSQLState() : null;
            if (state != null && (state.startsWith("22") || state.startsWith("42"))) {
                tables.remove(id);
                throw stops.stopped(id, "its chunk fails: " + Database.rootMessage(e), " (fix the table or the "
                        + "rows it fails on, then 'backfill --resume'; a backfill keeps its --where, so to change "
                        + "the condition cancel it with 'backfill --cancel' and start a new backfill with the "
                        + "corrected --where)", e);
            }
            throw Outages.said(database, e); // run again once the database answers: said so in the retries' log
        } catch (KeyBoundEscaped e) {
            tables.remove(id);
            throw stops.stopped(id, e.getMessage(), ". Cancel it with 'backfill --cancel' and start a new backfill "
                    + "with a condition that stands alone", null);
        }
    }

    /**
     * The lock a chunk holds for its whole transaction and a cancel waits for. PostgreSQL grants a heavyweight lock to
     * its waiters in the order they came, so a cancel that waits for a chunk goes before the next chunk. The row lock
     * alone did not: the chunk updates the row, and a fresh {@code for update} on its new version can beat a waiting
     * update to it. The two-key form keeps clear of the one-key locks of the lease.
     */
    private static final String CHUNK_LOCK =
            "select pg_advisory_xact_lock(hashtext('pgobserver.backfill'), cast(:id % 2147483647 as int)) is null";

    private Backfill chunk(long id) {
        return database.jdbi().inTransaction(handle -> {
            Database.waitAsLongAsItTakes(handle);
            handle.createQuery(CHUNK_LOCK).bind("id", id).mapTo(Boolean.class).one();
            Row row = handle.createQuery("""
                            select table_name, observer, where_clause, chunk, last_key, state
                              from pgobserver.backfills where id = :id for update
                            """)
                    .bind("id", id)
                    .map((rs, ctx) -> new Row(rs.getString("table_name"), rs.getString("observer"),
                            rs.getString("where_clause"), rs.getInt("chunk"), strings(rs.getArray("last_key")),
                            rs.getString("state")))
                    .findOne().orElseThrow(() -> new IllegalArgumentException("there is no backfill " + id));
            if (!row.state().equals("running")) {
                return one(handle, id);
            }
            BackfillTable table = tables.computeIfAbsent(id, ignored -> BackfillTable.find(handle, row.table()));
            Query chunk = handle.createQuery(table.chunkSql(row.where(), row.lastKey() == null));
            int index = bindLastKey(chunk, 0, row.lastKey());
            chunk.bind(index++, row.chunk()).bind(index++, table.qualified()).bind(index++, table.entityColumn())
                    .bind(index++, id).bind(index++, row.observer());
            bindLastKey(chunk, index, row.lastKey());
            Done done = chunk.map((rs, ctx) -> new Done(rs.getLong("rows"), strings(rs.getArray("last_key")),
                    rs.getLong("behind"))).one();
            if (done.behind() > 0) {
                // Thrown inside the transaction, so nothing of this chunk is logged. Without it the backfill would
                // log the same rows chunk after chunk, for ever (an outside trial logged 31 million for 2,000).
                throw new KeyBoundEscaped("its chunk read " + done.behind()
                        + " row(s) at or before its last key (" + String.join(", ", row.lastKey()) + "), rows it "
                        + "has already logged: its --where '" + row.where() + "' escapes the key bound of the "
                        + "chunk's statement (... where <key> > <last key> and (<condition>)), so it would log them "
                        + "again in every chunk and never end; nothing of this chunk was logged");
            }
            // An empty chunk ends it; a short one does not: a row deleted under the lock leaves its chunk short.
            // Either way it made progress, so it is no longer stopped (BackfillStops).
            handle.createUpdate("""
                            update pgobserver.backfills
                               set last_key = coalesce(cast(:lastKey as text[]), last_key), rows_done = rows_done + :rows,
                                   updated_at = now(), last_error = null, stopped_at = null,
                                   state = case when :rows = 0 then 'finished' else state end,
                                   finished_at = case when :rows = 0 then now() end
                             where id = :id
                            """)
                    .bind("lastKey", done.lastKey()).bind("rows", done.rows()).bind("id", id).execute();
            return one(handle, id);
        });
    }

    @Override
    public Optional<Backfill> cancel(String table) {
        return Outages.answering(database, () -> database.jdbi().inTransaction(handle -> {
            Optional<Backfill> running = running(handle, TableName.qualify(table));
            if (running.isEmpty()) {
                return Optional.empty();
            }
            // Waits for the chunk in flight, and goes before the next one (CHUNK_LOCK). An ended backfill is not
            // stopped on anything any more (BackfillStops).
            handle.createQuery(CHUNK_LOCK).bind("id", running.get().id()).mapTo(Boolean.class).one();
            return handle.createQuery("""
                            update pgobserver.backfills
                               set state = 'cancelled', cancelled_at = now(), updated_at = now(),
                                   last_error = null, stopped_at = null
                             where id = :id and state = 'running'
                            returning id
                            """)
                    .bind("id", running.get().id()).mapTo(Long.class).findOne().map(id -> one(handle, id));
        }));
    }

    @Override
    public Attendance attend(String table) {
        return Outages.answering(database, () -> BackfillAttendance.take(database, table));
    }

    @Override
    public List<Backfill> recent(int limit) {
        return database.jdbi().withHandle(handle -> handle.createQuery(SELECT
                        + " order by b.state = 'running' desc, b.id desc limit :limit")
                .bind("limit", limit).map(MAPPER).list());
    }

    private static Optional<Backfill> running(Handle handle, String table) {
        ResultIterable<Backfill> found = handle.createQuery(SELECT
                + " where b.table_name = :table and b.state = 'running'").bind("table", table).map(MAPPER);
        return found.findOne();
    }

    private static Backfill one(Handle handle, long id) {
        return handle.createQuery(SELECT + " where b.id = :id").bind("id", id).map(MAPPER).one();
    }

    /** Binds the key's values from {@code index} on, if there is a last key; answers the next index. */
    private static int bindLastKey(Query chunk, int index, String[] lastKey) {
        int next = index;
        if (lastKey != null) {
            for (String value : lastKey) {
                chunk.bind(next++, value);
            }
        }
        return next;
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? null : (String[]) array.getArray();
    }

    private record Row(String table, String observer, String where, int chunk, String[] lastKey, String state) {
    }

    private record Done(long rows, String[] lastKey, long behind) {
    }

    /** Thrown inside the chunk's transaction, so that it rolls back before the stop is recorded. */
    private static final class KeyBoundEscaped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KeyBoundEscaped(String reason) {
            super(reason);
        }
    }
}
