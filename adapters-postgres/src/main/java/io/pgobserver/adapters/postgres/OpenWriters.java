package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.OpenTransaction;

import java.time.Duration;
import java.util.Optional;

/**
 * The oldest open transaction that has written to {@code pgobserver.change_log} (a plain table: the capture trigger
 * of a partitioned table's partitions writes to it too). Writing a row takes a {@code RowExclusiveLock} on it, held
 * until the transaction ends; a transaction id says the session has written something (a statement that inserted no
 * row may take the lock without one). pg_locks and {@code pg_stat_activity.backend_xid} are shown to every role, so
 * this finds every such transaction, and the oldest is the one whose transaction id is oldest; a session's
 * {@code xact_start}, state and query are shown only to superusers, members of its role and of
 * {@code pg_read_all_stats}, and come back null otherwise. Sessions whose application name starts with
 * {@code pg-observer} are the observer's own (a backfill's chunks) and are left out.
 *
 * <p>A prepared transaction (two-phase commit with {@code pgobserver.notify=off}) holds its events until COMMIT
 * PREPARED, and when its transaction manager died after PREPARE it holds them for ever. It has no session, so
 * pg_stat_activity does not show it: its locks stay in pg_locks with a null pid, under the virtual transaction of the
 * session that prepared it ({@code 3/6}; {@code -1/<xid>} once the server restarted), beside the lock on its own
 * transaction id, which names it in pg_prepared_xacts (its gid, owner, database and when it was prepared, shown to
 * every role). The oldest of both kinds, by transaction id, is the one reported.
 *
 * <p>Cost: pg_locks reads the server's lock table (microseconds per lock held), asked every few seconds.
 */
final class OpenWriters {

    // Without the grant, state and xact_start come back null and query as "<insufficient privilege>".
    private static final String OLDEST = """
            select a.pid, a.backend_xid::text::bigint as xid, null as gid, a.state,
                   coalesce(a.application_name, '') as application, coalesce(a.usename::text, '') as role,
                   case when a.state is not null then left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) end as query,
                   floor(extract(epoch from (now() - a.xact_start)) * 1000)::bigint as age_millis,
                   age(a.backend_xid) as xid_age
              from pg_locks l
              join pg_stat_activity a on a.pid = l.pid
             where l.locktype = 'relation' and l.relation = 'pgobserver.change_log'::regclass
               and l.database = (select oid from pg_database where datname = current_database())
               and l.mode = 'RowExclusiveLock' and l.granted
               and a.backend_xid is not null
               and a.pid <> pg_backend_pid()
               and not starts_with(coalesce(a.application_name, ''), 'pg-observer')
            union all
            select null, p.transaction::text::bigint, p.gid, 'prepared', '', p.owner::text, null,
                   floor(extract(epoch from (now() - p.prepared)) * 1000)::bigint, age(p.transaction)
              from pg_locks l
              join pg_locks x on x.virtualtransaction = l.virtualtransaction and x.locktype = 'transactionid'
                             and x.pid is null
              join pg_prepared_xacts p on p.transaction = x.transactionid and p.database = current_database()
             where l.locktype = 'relation' and l.relation = 'pgobserver.change_log'::regclass
               and l.database = (select oid from pg_database where datname = current_database())
               and l.mode = 'RowExclusiveLock' and l.granted and l.pid is null
             order by xid_age desc
             limit 1
            """;

    private final Database database;

    OpenWriters(Database database) {
        this.database = database;
    }

    Optional<OpenTransaction> oldest() {
        return database.jdbi().withHandle(handle -> handle.createQuery(OLDEST)
                .map((rs, ctx) -> {
                    long ageMillis = rs.getLong("age_millis");
                    Duration age = rs.wasNull() ? null : Duration.ofMillis(ageMillis);
                    String gid = rs.getString("gid");
                    if (gid != null) {
                        return OpenTransaction.prepared(rs.getLong("xid"), gid, rs.getString("role"), age);
                    }
                    return new OpenTransaction(rs.getInt("pid"), rs.getLong("xid"), rs.getString("state"),
                            rs.getString("application"), rs.getString("role"), rs.getString("query"), age);
                })
                .findOne());
    }
}
