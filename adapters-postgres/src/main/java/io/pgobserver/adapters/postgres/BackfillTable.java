package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ShellWord;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table as a backfill reads it: its primary-key columns (in key order, with their types) and the entity id column
 * its capture trigger names, so that a read change gets the same entity key, hence the same lane, as the trigger's
 * live changes of that row; its row image leaves out the columns the trigger leaves out ({@code rowImage}, an SQL
 * expression on the row {@code t}). Builds the one statement a chunk runs. Names come from the catalog and are quoted
 * by the server's {@code quote_ident}; the {@code where} condition is the operator's own SQL, checked at start.
 */
record BackfillTable(String qualified, String quotedName, List<Key> key, String entityColumn, String rowImage) {

    /** A primary-key column: its name as quoted for SQL and its type as SQL spells it. */
    record Key(String quoted, String type) {
    }

    private static final String PRIMARY_KEY = """
            select quote_ident(a.attname) as quoted, format_type(a.atttypid, a.atttypmod) as type
              from pg_index i
              join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
             where i.indrelid = :oid::oid and i.indisprimary
             order by array_position(i.indkey::int2[], a.attnum)
            """;

    /**
     * Looks the table up.
     *
     * @throws IllegalArgumentException when it does not exist, has no primary key or is not captured
     */
    static BackfillTable find(Handle handle, String schemaTable) {
        PostgresCaptureInstaller.Table table = PostgresCaptureInstaller.findTable(handle, schemaTable);
        List<Key> key = handle.createQuery(PRIMARY_KEY).bind("oid", table.oid())
                .map((rs, ctx) -> new Key(rs.getString("quoted"), rs.getString("type"))).list();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " has no primary key: a backfill reads it in "
                    + "primary-key order, chunk by chunk, and resumes after the last key done; add one "
                    + "(alter table " + table + " add primary key (...)) and start the backfill again");
        }
        CaptureArguments capture = CaptureArguments.of(handle, table.oid());
        if (capture == null) {
            throw new IllegalArgumentException("table " + table + " is not captured: run 'pg-observer install --table "
                    + ShellWord.inQuotes(table.toString()) + "' first, so that live changes and the backfill's read "
                    + "events share one ordered stream");
        }
        String quotedName = handle.createQuery("select quote_ident(:schema) || '.' || quote_ident(:name)")
                .bind("schema", table.schema()).bind("name", table.name()).mapTo(String.class).one();
        // The columns the trigger leaves out are left out of the read events too, as the server quotes their list.
        String rowImage = capture.excluded() == null ? "to_jsonb(t)" : handle.createQuery(
                "select 'to_jsonb(t) - ' || quote_literal(:excluded) || '::text[]'")
                .bind("excluded", capture.excluded()).mapTo(String.class).one();
        return new BackfillTable(table.toString(), quotedName, key, capture.idColumn(), rowImage);
    }

    /**
     * Fails when {@code where} does not stand alone as one expression ({@link StandaloneCondition}), or with the
     * server's message when it does not compile against the table.
     */
    void checkWhere(Handle handle, String where) {
        if (where == null) {
            return;
        }
        StandaloneCondition.problem(where).ifPresent(problem -> {
            throw new IllegalArgumentException("--where '" + where + "' cannot be used on " + qualified + ": it has "
                    + problem + "; it must stand alone as one condition, since each chunk runs it as "
                    + "'... where <key> > <last key> and (<condition>)' (write an SQL condition on the table's "
                    + "columns, such as status = 'open')");
        });
        try {
            handle.execute("savepoint backfill_where");
            handle.createQuery("select 1 from " + quotedName + " t where (" + where + ") limit 0").mapTo(Integer.class)
                    .list();
            handle.execute("release savepoint backfill_where");
        } catch (StatementException e) {
            handle.execute("rollback to savepoint backfill_where");
            throw new IllegalArgumentException("--where '" + where + "' cannot be used on " + qualified + ": "
                    + Database.rootMessage(e) + " (write an SQL condition on the table's columns, such as "
                    + "status = 'open')", e);
        }
    }

    /**
     * One chunk, as one statement: the next {@code limit} rows after the last key, share-locked (in READ COMMITTED
     * a row being written is waited for and read as committed), each logged as one read change with the trigger's
     * entity key and row image; answers the rows logged, the last key as text, and how many of the rows are not
     * after the previous last key ({@code behind}: always 0, unless the condition escaped the key bound). Parameters:
     * the last key's values (when {@code first} is false), the limit, the entity type, the entity column, the
     * backfill id, the target observer, and the last key's values again (when {@code first} is false).
     */
    String chunkSql(String where, boolean first) {
        String columns = key.stream().map(k -> "t." + k.quoted()).collect(Collectors.joining(", "));
        String bare = key.stream().map(Key::quoted).collect(Collectors.joining(", "));
        String after = key.stream().map(k -> "?::" + k.type()).collect(Collectors.joining(", "));
        String descending = key.stream().map(k -> k.quoted() + " desc").collect(Collectors.joining(", "));
        String asText = key.stream().map(k -> k.quoted() + "::text").collect(Collectors.joining(", "));
        String filter = (first ? "true" : "(" + columns + ") > (" + after + ")")
                + (where == null ? "" : " and (" + where + ")");
        String behind = first ? "0" : "(select count(*) from chunk where not ((" + bare + ") > (" + after + ")))";
        return """
                with chunk as (
                    select %1$s, %8$s as row_image
                      from %2$s t
                     where %3$s
                     order by %1$s
                     limit ?
                       for share of t
                ), logged as (
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after, backfill_id, target_observer)
                    select ?, coalesce(row_image ->> ?, ''), 'read', row_image, ?, ? from chunk order by %4$s
                )
                select (select count(*) from chunk) as rows,
                       (select array[%5$s] from chunk order by %6$s limit 1) as last_key,
                       %7$s as behind
                """.formatted(columns, quotedName, filter, bare, asText, descending, behind, rowImage);
    }

}
