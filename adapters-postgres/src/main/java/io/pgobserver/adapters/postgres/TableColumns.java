package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.CaptureInstaller.Columns;
import org.jdbi.v3.core.Handle;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The columns of the observed tables, and those their capture leaves out, read from the catalog in one query. */
final class TableColumns {

    // The left-out columns are the trigger's third argument, a text[] literal (CaptureArguments).
    private static final String COLUMNS = """
            select n.nspname || '.' || c.relname as name,
                   array(select a.attname::text from pg_attribute a
                          where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
                   t.tgargs
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
              left join pg_trigger t on t.tgrelid = c.oid and t.tgname = :trigger
             where n.nspname || '.' || c.relname = any(:names) and c.relkind in ('r', 'p')
            """;

    private TableColumns() {
    }

    static Map<String, Columns> of(Handle handle, Collection<String> schemaTables) {
        Map<String, Columns> out = new LinkedHashMap<>();
        if (schemaTables.isEmpty()) {
            return out;
        }
        record Row(String table, List<String> columns, byte[] tgargs) {
        }
        List<Row> rows = handle.createQuery(COLUMNS)
                .bind("trigger", PostgresCaptureInstaller.TRIGGER)
                .bindArray("names", String.class, List.copyOf(new TreeSet<>(schemaTables)))
                .map((rs, ctx) -> new Row(rs.getString("name"), List.of((String[]) rs.getArray("columns").getArray()),
                        rs.getBytes("tgargs")))
                .list();
        for (Row row : rows) {
            List<String> leftOut = row.tgargs() == null ? List.of()
                    : CaptureArguments.parse(row.tgargs()).excludedColumns(handle);
            out.put(row.table(), new Columns(row.columns(), leftOut));
        }
        return out;
    }
}
