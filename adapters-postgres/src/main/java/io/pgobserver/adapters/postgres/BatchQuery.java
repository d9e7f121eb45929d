package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SQL that reads one page of a batch, as {@link PostgresChangeSource} describes: the bounded form when both of
 * the batch's snapshots carry their bounds, else the form that needs none (batches that start at a snapshot
 * recorded by an older release or written by a migration: once, after an upgrade).
 */
final class BatchQuery {

    /*
     * A page costs its own rows, plus one index step per transaction running when "from" was taken (few: bounded by
     * concurrency), plus, once per batch and never again, the rows of transactions still running at "to" whose ids
     * lie among the batch's.
     * Part A, the transactions with ids below from's taker that "to" sees committed: those in from's in-progress list,
     * and those from xmax(from) up to the taker, which were running but are not in the list (xmax is the newest
     * finished id plus one, not the next id to hand out). They are found by skipping along the (txid, id) index one
     * transaction at a time; each one's rows come from the same index in id order, a page at most. Aborted ones are
     * left out: their dead rows would be stepped over again on every page. The row comparison
     * "(txid, id) > (x, after) and txid <= x" is the index's own order: written as "txid = x and id > after" the
     * planner, whose statistics often see a few huge transactions, walks the primary key instead.
     * Part B, the transactions with ids above from's taker: they got their ids after it, so each of their rows got
     * its id after "from" began (the trigger of V3 assigns a transaction's id before its first row draws one, and
     * the sequence has CACHE 1), and before "to" ended: their rows lie between from's ids_before and to's ids_after.
     * The primary key is walked over that range from "after" on, keeping rows "to" sees and "from" does not (ids
     * between the taker and xmax(from) may have finished before "from" was taken). The taker comparison is made on
     * a number, not on xid8, so that the planner cannot take the (txid, id) index for it and sort: it must walk the
     * primary key.
     * The parameters in braces are named; PARAMETER turns them into JDBC's positional ones.
     */
    private static final String BOUNDED_TEXT = """
            with recursive gap(x) as (
                (select c.txid from pgobserver.change_log c
                  where c.txid >= pg_snapshot_xmax({from}::pg_snapshot) and c.txid < {taker}::text::xid8
                  order by c.txid limit 1)
                union all
                select (select c.txid from pgobserver.change_log c
                         where c.txid > gap.x and c.txid < {taker}::text::xid8
                         order by c.txid limit 1)
                  from gap where gap.x is not null
            ), finished(x) as (
                select x from (select x from pg_snapshot_xip({from}::pg_snapshot) x where x < {taker}::text::xid8
                               union all
                               select x from gap where x is not null) running
                 where pg_visible_in_snapshot(x, {to}::pg_snapshot) and pg_xact_status(x) is distinct from 'aborted'
            )
            select %1$s from (
                (select cl.* from finished t
                  cross join lateral (select * from pgobserver.change_log c
                                       where (c.txid, c.id) > (t.x, {after}) and c.txid <= t.x
                                       order by c.txid, c.id
                                       limit {page}) cl)
                union all
                (select c.* from pgobserver.change_log c
                  where c.id > greatest({after}, {idsBefore}) and c.id <= {idsAfter}
                    and c.txid::text::bigint > {takerNumber}
                    and pg_visible_in_snapshot(c.txid, {to}::pg_snapshot)
                    and not pg_visible_in_snapshot(c.txid, {from}::pg_snapshot)
                  order by c.id
                  limit {page})
            ) page
            order by page.id
            limit {page}
            """.formatted(EventRows.CHANGE_LOG_COLUMNS);

    /*
     * Without bounds: the batch's transactions are those in progress at "from" and those from xmax(from) up to
     * xmax(to) that left rows in the log, found by skipping along the (txid, id) index; of these, the ones "to"
     * sees committed. A page costs one index step per transaction of the batch, so it is kept for the batches
     * that have no bounds.
     * Parameters: from, to, to, from, after, page, to, page.
     */
    static final String UNBOUNDED = """
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
            select %1$s
              from candidates t
             cross join lateral (select * from pgobserver.change_log c
                                  where (c.txid, c.id) > (t.x, ?) and c.txid <= t.x
                                  order by c.txid, c.id
                                  limit ?) cl
             where pg_visible_in_snapshot(t.x, ?::pg_snapshot)
             order by cl.id
             limit ?
            """.formatted(EventRows.CHANGE_LOG_COLUMNS);

    private static final Pattern PARAMETER = Pattern.compile("\\{(\\w+)}");
    static final String BOUNDED = PARAMETER.matcher(BOUNDED_TEXT).replaceAll("?");
    private static final List<String> BOUNDED_PARAMETERS = PARAMETER.matcher(BOUNDED_TEXT).results()
            .map(match -> match.group(1)).toList();

    private BatchQuery() {
    }

    /** Whether the batch is read the bounded way. */
    static boolean bounded(Batch batch) {
        return batch.from().bounded() && batch.to().bounded();
    }

    /** The page's statement, bound; the caller executes and closes it. */
    static PreparedStatement prepare(Connection conn, Batch batch, long afterId, int page) throws SQLException {
        return prepare(conn, "", batch, afterId, page);
    }

    /** The page's statement behind {@code prefix} (an EXPLAIN, in tests), bound. */
    static PreparedStatement prepare(Connection conn, String prefix, Batch batch, long afterId, int page)
            throws SQLException {
        boolean bounded = bounded(batch);
        PreparedStatement statement = conn.prepareStatement(prefix + (bounded ? BOUNDED : UNBOUNDED));
        try {
            if (bounded) {
                bindBounded(statement, batch, afterId, page);
            } else {
                bindUnbounded(statement, batch, afterId, page);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }

    private static void bindBounded(PreparedStatement statement, Batch batch, long afterId, int page)
            throws SQLException {
        Snapshot from = batch.from();
        Snapshot to = batch.to();
        for (int i = 0; i < BOUNDED_PARAMETERS.size(); i++) {
            int index = i + 1;
            switch (BOUNDED_PARAMETERS.get(i)) {
                case "from" -> statement.setString(index, from.value());
                case "to" -> statement.setString(index, to.value());
                case "taker" -> statement.setString(index, Long.toString(from.bounds().takerXid()));
                case "takerNumber" -> statement.setLong(index, from.bounds().takerXid());
                case "after" -> statement.setLong(index, afterId);
                case "page" -> statement.setInt(index, page);
                case "idsBefore" -> statement.setLong(index, from.bounds().idsBefore());
                case "idsAfter" -> statement.setLong(index, to.bounds().idsAfter());
                default -> throw new IllegalStateException("unknown parameter " + BOUNDED_PARAMETERS.get(i));
            }
        }
    }

    private static void bindUnbounded(PreparedStatement statement, Batch batch, long afterId, int page)
            throws SQLException {
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
}
