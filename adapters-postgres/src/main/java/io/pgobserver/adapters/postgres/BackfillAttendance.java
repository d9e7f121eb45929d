package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.TableName;
import io.pgobserver.domain.port.Backfills;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A process's attendance of a table's backfill: a shared session-level advisory lock on a connection of its own,
 * keyed by the table. PostgreSQL drops it with the session, however the process ends ({@code kill -9} included), so
 * a reader that finds no session holding it knows that no process runs the backfill; a row alone cannot say so, as
 * a killed process writes nothing. Shared, because two processes may run one backfill's chunks side by side.
 */
final class BackfillAttendance implements Backfills.Attendance {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillAttendance.class);

    /** The lock's first key; the second is the table's hash. Unlike the chunk lock's, so the two never meet. */
    private static final String KEY = "pgobserver.backfill.attended";
    /** A chunk waits this long at most for the check of the session, after it has committed. */
    private static final int VALID_SECONDS = 2;

    /**
     * Whether some session of this database holds the attendance of backfill {@code b}'s table, as a column. A
     * two-key advisory lock shows in pg_locks as classid = first key, objid = second, objsubid = 2 (as unsigned
     * 32-bit numbers); pg_locks lists the whole cluster's locks, hence the database.
     */
    static final String ATTENDED_COLUMN = """
            exists (select 1 from pg_locks l
                     where l.locktype = 'advisory' and l.objsubid = 2 and l.granted
                       and l.database = (select oid from pg_database where datname = current_database())
                       and l.classid::bigint = (hashtext('%s')::bigint & 4294967295)
                       and l.objid::bigint = (hashtext(b.table_name)::bigint & 4294967295)) as attended
            """.formatted(KEY);

    private final Database database;
    private final String table;
    // Not synchronized: renew() waits for the server while holding it, which on Java 21 would pin the carrier of a
    // caller on a virtual thread for as long as the server takes to answer.
    private final ReentrantLock guard = new ReentrantLock();
    private Connection session;

    private BackfillAttendance(Database database, String table) {
        this.database = database;
        this.table = table;
    }

    /** Takes the table's attendance on a new session, named so that {@code pg_stat_activity} shows who runs it. */
    static BackfillAttendance take(Database database, String table) {
        BackfillAttendance attendance = new BackfillAttendance(database, TableName.qualify(table));
        try {
            attendance.session = attendance.lock();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot mark the backfill of " + attendance.table + " as run by this "
                    + "process: " + Database.rootMessage(e), e);
        }
        return attendance;
    }

    private Connection lock() throws SQLException {
        Connection connection = database.connect("backfill " + table + " " + ProcessName.CURRENT);
        try (PreparedStatement lock = connection.prepareStatement(
                "select pg_advisory_lock_shared(hashtext(?), hashtext(?))")) {
            lock.setString(1, KEY);
            lock.setString(2, table);
            lock.execute();
            return connection;
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void renew() {
        guard.lock();
        try {
            if (session.isValid(VALID_SECONDS)) {
                return;
            }
            close();
            session = lock();
            LOG.info("the session that marks the backfill of {} as run by this process had ended; taken again",
                    table);
        } catch (SQLException e) {
            LOG.debug("the backfill of {} is not marked as run by this process until its next chunk: {}", table,
                    Database.rootMessage(e));
        } finally {
            guard.unlock();
        }
    }

    @Override
    public void close() {
        guard.lock();
        try {
            // Ending the session drops the lock: nothing is left for a failed unlock to hold.
            session.close();
        } catch (SQLException e) {
            LOG.debug("closing the attendance session of the backfill of {}: {}", table, Database.rootMessage(e));
        } finally {
            guard.unlock();
        }
    }
}
