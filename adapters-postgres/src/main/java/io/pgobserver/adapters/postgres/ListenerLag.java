package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource.Lag;

import java.time.Duration;

/**
 * How far the stream runs ahead of a consumer, asked on every idle poll and by {@code status}, so it must cost
 * next to nothing. For a snapshot with bounds it is an estimate from the id sequence, two index look-ups: the
 * ids handed out since the snapshot was taken, and the age of the first committed row after them. Ids of rows
 * that never committed count only while a committed row follows them: once the observer has caught up, the ids
 * drawn by rolled-back or failed inserts, and the rows of transactions still open, leave nothing to count, or an
 * idle consumer would show a lag that never clears (a writer that dies mid-transaction leaves exactly that).
 * Without bounds (a snapshot recorded by an older release, until the first batch after the upgrade is done) it
 * is counted exactly, over every row since the snapshot's oldest running transaction.
 */
final class ListenerLag {

    // No row when nothing committed follows the snapshot: then there is no lag, whatever the sequence says.
    private static final String ESTIMATE = """
            select greatest(coalesce(pg_sequence_last_value('pgobserver.change_log_id_seq'), 0) - :idsAfter, 0)
                       as events,
                   floor(extract(epoch from (clock_timestamp() - c.occurred_at)) * 1000)::bigint as age_millis
              from pgobserver.change_log c
             where c.id > :idsAfter
             order by c.id
             limit 1
            """;

    // Rows not visible in done: every one has a txid at or above done's xmin, which the index finds.
    private static final String EXACT = """
            select count(*) as events,
                   coalesce(floor(extract(epoch from (clock_timestamp() - min(occurred_at))) * 1000), 0)::bigint
                       as age_millis
              from pgobserver.change_log
             where txid >= pg_snapshot_xmin(:done::pg_snapshot)
               and not pg_visible_in_snapshot(txid, :done::pg_snapshot)
            """;

    private final Database database;

    ListenerLag(Database database) {
        this.database = database;
    }

    Lag of(Snapshot done) {
        return database.jdbi().withHandle(handle -> (done.bounded()
                ? handle.createQuery(ESTIMATE).bind("idsAfter", done.bounds().idsAfter())
                : handle.createQuery(EXACT).bind("done", done.value()))
                .map((rs, ctx) -> new Lag(rs.getLong("events"), Duration.ofMillis(rs.getLong("age_millis"))))
                .findOne()
                .orElse(Lag.NONE));
    }
}
