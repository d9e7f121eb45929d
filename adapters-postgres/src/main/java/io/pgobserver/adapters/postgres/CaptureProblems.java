package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.port.CaptureInstaller.Problem;
import io.pgobserver.domain.port.CaptureInstaller.Problem.Kind;
import org.jdbi.v3.core.Handle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What keeps an observed table's changes from reaching its observers, found in the catalog: schema changes made
 * after {@code install} (a table renamed or dropped, its entity id column renamed or dropped) break capture without
 * failing a single write, so nothing else would say so.
 */
final class CaptureProblems {

    // The trigger's first argument is the entity id column, its third the columns left out (CaptureArguments):
    // tgargs holds the arguments, each ended by a zero byte.
    // One query for all the observed tables: run checks every capture_check_interval, and with hundreds of tables a
    // query per table was hundreds of round trips, each scanning pg_class for its name.
    private static final String CAPTURE = """
            select n.nspname || '.' || c.relname as name, t.oid is not null as captured, coalesce(t.tgparentid, 0) <> 0 as inherited, arg.id_column,
                   exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = arg.id_column
                                                          and a.attnum > 0 and not a.attisdropped) as column_exists,
                   (select pn.nspname || '.' || pc.relname from pg_trigger p
                      join pg_class pc on pc.oid = p.tgrelid join pg_namespace pn on pn.oid = pc.relnamespace
                     where p.oid = t.tgparentid) as captured_through,
                   (select array_agg(x order by x) from unnest(left_out.columns) x
                     where not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = x
                                                                     and a.attnum > 0 and not a.attisdropped))
                       as left_out_missing
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              left join pg_trigger t on t.tgrelid = c.oid and t.tgname = :trigger
              left join lateral (select convert_from(substring(t.tgargs from 1
                                        for position('\\x00'::bytea in t.tgargs) - 1), 'UTF8') as id_column) arg on true
              left join lateral (select substring(t.tgargs from position('\\x00'::bytea in t.tgargs) + 1) as rest) second on true
              left join lateral (select substring(second.rest from position('\\x00'::bytea in second.rest) + 1) as rest) third on true
              left join lateral (select case when position('\\x00'::bytea in third.rest) > 0
                                             then convert_from(substring(third.rest for position('\\x00'::bytea in third.rest) - 1),
                                                               'UTF8')::text[] end as columns) left_out on true
             where n.nspname || '.' || c.relname = any(:names) and c.relkind in ('r', 'p')
            """;

    private record Capture(String table, boolean captured, boolean inherited, String idColumn, boolean columnExists,
                           String capturedThrough, List<String> leftOutMissing) {
    }

    private CaptureProblems() {
    }

    static List<Problem> of(Handle handle, Collection<String> schemaTables) {
        TreeSet<String> tables = new TreeSet<>(schemaTables);
        Map<String, List<Capture>> byTable = handle.createQuery(CAPTURE)
                .bind("trigger", PostgresCaptureInstaller.TRIGGER)
                .bindArray("names", String.class, List.copyOf(tables))
                .map((rs, ctx) -> new Capture(rs.getString("name"), rs.getBoolean("captured"),
                        rs.getBoolean("inherited"), rs.getString("id_column"), rs.getBoolean("column_exists"),
                        rs.getString("captured_through"), rs.getArray("left_out_missing") == null ? List.of()
                        : List.of((String[]) rs.getArray("left_out_missing").getArray())))
                .collect(Collectors.groupingBy(Capture::table));
        List<Problem> problems = new ArrayList<>();
        for (String table : tables) {
            problem(table, byTable.getOrDefault(table, List.of())).ifPresent(problems::add);
        }
        return problems;
    }

    private static Optional<Problem> problem(String table, List<Capture> found) {
        String install = "'pg-observer install --table " + ShellWord.inQuotes(table) + "'";
        if (found.size() != 1) {
            return found.isEmpty() ? Optional.of(new Problem(table, Kind.MISSING, "observed table " + table + " does not exist in this database "
                    + "(renamed or dropped?): nothing captures its changes, and its observers get only the events an "
                    + "application writes to pgobserver.change_log itself; after a rename, run 'pg-observer install' "
                    + "on the new name and change the observers' entity")) : Optional.empty();
        }
        Capture capture = found.get(0);
        if (!capture.captured()) {
            return Optional.of(new Problem(table, Kind.NOT_CAPTURED, "observed table " + table + " is not captured: "
                    + "its changes reach no observer; run " + install));
        }
        if (capture.inherited()) {
            return Optional.of(new Problem(table, Kind.PARTITION, "observed table " + table + " is a partition of "
                    + capture.capturedThrough() + ", whose capture names its rows' events "
                    + capture.capturedThrough() + ": watch that table instead"));
        }
        if (!capture.columnExists()) {
            return Optional.of(new Problem(table, Kind.ID_COLUMN, "the capture of " + table + " takes the entity id from column '" + capture.idColumn()
                    + "', which the table no longer has (renamed or dropped?): its events have an empty entity id, "
                    + "so all its rows run as one, one event after another; run " + install
                    + " again (with --id-column if it has no single-column primary key)"));
        }
        if (!capture.leftOutMissing().isEmpty()) {
            List<String> gone = capture.leftOutMissing();
            return Optional.of(new Problem(table, Kind.LEFT_OUT_COLUMN, "the capture of " + table + " leaves out "
                    + "column(s) " + gone.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "))
                    + ", which the table no longer has (renamed or dropped?): a renamed column is captured under its "
                    + "new name, and every action gets it; install again naming each column to leave out as it is "
                    + "called now: " + install.substring(0, install.length() - 1) + " --exclude-column NAME …'"));
        }
        return Optional.empty();
    }
}
