package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.SchemaChange;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Installs the capture trigger. Names are never pasted into SQL: the table and column are looked up in the
 * catalog with bound parameters, and the DDL is built by the server's {@code format()} with {@code %I}/{@code %L}
 * from the catalog's own spelling, so a hostile name is either not found or quoted harmlessly.
 */
@Singleton
final class PostgresCaptureInstaller implements CaptureInstaller {

    static final String TRIGGER = "pgobserver_capture";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCaptureInstaller.class);

    // Matching on the joined name, not on a split of the user's text, also finds names that contain dots. Views
    // and the like are found too, so that the message can say what the name is instead of "no table".
    private static final String FIND_TABLE = """
            select c.oid::bigint as oid, n.nspname as schema_name, c.relname as table_name, c.relkind::text as kind
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname || '.' || c.relname = :name
               and c.relkind in ('r', 'p', 'v', 'm', 'f')
            """;

    // tgparentid is set only on a partition's clone of its partitioned table's trigger, which cannot be dropped
    // on its own. The first query names the table whose trigger a partition's is a clone of; the second, the
    // partitions of a partitioned table that have a trigger of their own, which would clash with the clones.
    private static final String CAPTURED_PARENT = """
            select n.nspname || '.' || c.relname
              from pg_trigger t join pg_trigger p on p.oid = t.tgparentid
              join pg_class c on c.oid = p.tgrelid join pg_namespace n on n.oid = c.relnamespace
             where t.tgrelid = :oid::oid and t.tgname = :trigger
            """;

    private static final String CAPTURED_PARTITIONS = """
            select n.nspname || '.' || c.relname
              from pg_inherits i join pg_trigger t on t.tgrelid = i.inhrelid
              join pg_class c on c.oid = i.inhrelid join pg_namespace n on n.oid = c.relnamespace
             where i.inhparent = :oid::oid and t.tgname = :trigger and t.tgparentid = 0
             order by 1
            """;

    private static final String FIND_COLUMN = """
            select attname from pg_attribute
             where attrelid = :oid::oid and attname = :column and attnum > 0 and not attisdropped
            """;

    private static final String PRIMARY_KEY = """
            select a.attname
              from pg_index i
              join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
             where i.indrelid = :oid::oid and i.indisprimary
             order by a.attnum
            """;

    // A partitioned table's oid is the trigger's second argument: its clones run on the partitions, and the
    // capture function names the event after the table that argument names (V10). The columns left out are the
    // third, as a text array literal, the second then empty for a plain table (V13); see CaptureArguments.
    private static final String DDL = """
            select format('drop trigger if exists %I on %I.%I', :trigger, :schema, :table),
                   format('create trigger %I after insert or update or delete on %I.%I for each row '
                          || 'execute function pgobserver.capture(%L%s%s)', :trigger, :schema, :table, :column,
                          case when :partitioned or cardinality(:excluded) > 0
                               then format(', %L', case when :partitioned then :oid::text else '' end) else '' end,
                          case when cardinality(:excluded) > 0 then format(', %L', :excluded::text) else '' end)
            """;

    static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final String HOLDERS = LockHolders.sessionsHolding("= :oid::oid");

    private final Database database;

    @Inject
    PostgresCaptureInstaller(Database database) {
        this.database = database;
    }

    @Override
    public SchemaChange schema() {
        return database.schemaChange();
    }

    @Override
    public List<String> install(String schemaTable, String idColumn, List<String> excludedColumns) {
        if (schemaTable == null || schemaTable.isBlank()) {
            throw new IllegalArgumentException("name the table to capture as schema.table, e.g. public.orders");
        }
        return database.jdbi().inTransaction(handle -> {
            Table table = findTable(handle, schemaTable);
            refuseClashingPartitions(handle, table);
            String column = idColumn == null ? primaryKey(handle, table) : column(handle, table, idColumn);
            List<String> excluded = excluded(handle, table, column, excludedColumns);
            CaptureArguments before = CaptureArguments.of(handle, table.oid());
            List<String> capturedAgain = before == null ? List.of() : before.excludedColumns(handle).stream()
                    .filter(c -> !excluded.contains(c)).toList();
            List<String> statements = handle.createQuery(DDL)
                    .bind("trigger", TRIGGER)
                    .bind("schema", table.schema())
                    .bind("table", table.name())
                    .bind("column", column)
                    .bind("partitioned", table.partitioned())
                    .bind("oid", table.oid())
                    .bindArray("excluded", String.class, excluded)
                    .map((rs, ctx) -> List.of(rs.getString(1), rs.getString(2)))
                    .one();
            // Drop and create in one transaction: idempotent, and works on PostgreSQL 13 (no CREATE OR REPLACE
            // TRIGGER). Plain JDBC, so that no client-side parameter parsing looks inside the quoted names.
            // The DDL waits for every transaction that has touched the table, and the application's writes to it
            // queue behind the waiting DDL: without a bound, one long transaction stops the table's writes for as
            // long as it runs. Giving up after LOCK_WAIT costs a retry instead.
            try (Statement statement = handle.getConnection().createStatement()) {
                statement.execute("set local lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
                statement.execute("savepoint capture_ddl");
                for (String ddl : statements) {
                    statement.execute(ddl);
                }
            } catch (SQLException e) {
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw new IllegalStateException("table " + table + " is in use: install waited "
                            + LOCK_WAIT.toSeconds() + " s for " + holders(handle, table) + " to end, while the "
                            + "application's writes to the table queued behind it, and gave up without a change; "
                            + "run install again when they have ended", e);
                }
                throw new IllegalStateException("cannot create the capture trigger on " + table + ": "
                        + e.getMessage() + " (the database user must own the table)", e);
            }
            LOG.info("Capturing changes of {}.{} with entity id column {}{}", table.schema(), table.name(), column,
                    excluded.isEmpty() ? "" : ", leaving out columns " + excluded);
            return capturedAgain;
        });
    }

    /**
     * The columns to leave out, as the catalog spells them, each once.
     *
     * @throws IllegalArgumentException for one the table does not have, or the entity id column
     */
    private static List<String> excluded(Handle handle, Table table, String idColumn, List<String> columns) {
        List<String> excluded = columns.stream().distinct().map(c -> column(handle, table, c)).toList();
        if (excluded.contains(idColumn)) {
            throw new IllegalArgumentException("column '" + idColumn + "' of " + table + " is the entity id: every "
                    + "event carries it as entity_id, so it cannot be left out; choose another id with --id-column, "
                    + "or capture it");
        }
        return excluded;
    }

    /** The sessions that hold a lock on the table, as pg_stat_activity shows them; read after the failed DDL. */
    private static String holders(Handle handle, Table table) {
        try {
            handle.execute("rollback to savepoint capture_ddl");
            return LockHolders.described(handle.createQuery(HOLDERS).bind("oid", table.oid()).mapTo(String.class)
                    .list());
        } catch (RuntimeException e) {
            return "the transactions using it";
        }
    }

    @Override
    public List<Problem> problems(Collection<String> schemaTables) {
        return database.jdbi().withHandle(handle -> CaptureProblems.of(handle, schemaTables));
    }

    @Override
    public Map<String, Columns> columns(Collection<String> schemaTables) {
        return database.jdbi().withHandle(handle -> TableColumns.of(handle, schemaTables));
    }

    /** The table the user named, as the catalog spells it; refuses pg-observer's own tables. */
    static Table findTable(Handle handle, String schemaTable) {
        List<Found> tables = handle.createQuery(FIND_TABLE)
                .bind("name", schemaTable)
                .map((rs, ctx) -> new Found(new Table(rs.getLong("oid"), rs.getString("schema_name"),
                        rs.getString("table_name"), "p".equals(rs.getString("kind"))), rs.getString("kind")))
                .list();
        if (tables.isEmpty()) {
            // SQL's quotes are what a user types for a mixed-case name or one with spaces; here they are part of it.
            String unquoted = schemaTable.replace("\"", "");
            throw new IllegalArgumentException("no table '" + schemaTable + "': name an existing table as "
                    + "schema.table, spelled as in the catalog (unquoted names are lower case), e.g. public.orders"
                    + (unquoted.equals(schemaTable) ? "" : "; write names without SQL's quotes, even mixed-case "
                    + "ones and ones with spaces or dots: " + unquoted));
        }
        if (tables.size() > 1) {
            throw new IllegalArgumentException("'" + schemaTable + "' names more than one table (a schema or table "
                    + "name contains a dot); rename one of them to capture it");
        }
        Found found = tables.get(0);
        Table table = found.table();
        if (!found.kind().equals("r") && !found.kind().equals("p")) {
            throw new IllegalArgumentException("'" + schemaTable + "' is a " + switch (found.kind()) {
                case "v" -> "view";
                case "m" -> "materialized view";
                default -> "foreign table";
            } + ", not a table: a capture trigger goes on the table whose rows change; install it there");
        }
        if (table.schema().equals(Database.SCHEMA)) {
            throw new IllegalArgumentException("pg-observer's own tables in schema " + Database.SCHEMA
                    + " cannot be captured; insert into " + Database.SCHEMA + ".change_log directly instead");
        }
        return table;
    }

    private static String column(Handle handle, Table table, String idColumn) {
        return handle.createQuery(FIND_COLUMN)
                .bind("oid", table.oid())
                .bind("column", idColumn)
                .mapTo(String.class)
                .findOne()
                .orElseThrow(() -> new IllegalArgumentException("table " + table + " has no column '" + idColumn
                        + "': name an existing column as the catalog spells it"));
    }

    private static String primaryKey(Handle handle, Table table) {
        List<String> columns = handle.createQuery(PRIMARY_KEY)
                .bind("oid", table.oid())
                .mapTo(String.class)
                .list();
        if (columns.size() == 1) {
            return columns.get(0);
        }
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("table " + table + " has no primary key: choose the entity id "
                    + "column with --id-column");
        }
        throw new IllegalArgumentException("table " + table + " has a composite primary key " + columns
                + ": choose one column as the entity id with --id-column");
    }

    /**
     * A partition and its partitioned table cannot both have a capture trigger of their own: PostgreSQL would
     * refuse the second with a message that does not say why. A captured partitioned table captures every
     * partition's rows, as events of its own name.
     */
    private static void refuseClashingPartitions(Handle handle, Table table) {
        handle.createQuery(CAPTURED_PARENT).bind("oid", table.oid()).bind("trigger", TRIGGER).mapTo(String.class)
                .findOne().ifPresent(parent -> {
                    throw new IllegalArgumentException("table " + table + " is a partition of " + parent + ", which "
                            + "is captured: its rows are events of " + parent + " already; watch that table");
                });
        List<String> partitions = handle.createQuery(CAPTURED_PARTITIONS).bind("oid", table.oid())
                .bind("trigger", TRIGGER).mapTo(String.class).list();
        if (!partitions.isEmpty()) {
            throw new IllegalArgumentException("partitions of " + table + " are captured on their own: "
                    + partitions + "; drop their trigger (drop trigger " + TRIGGER + " on <partition>) to capture "
                    + "them all through " + table + ", whose events are then named after it");
        }
    }

    private record Found(Table table, String kind) {
    }

    record Table(long oid, String schema, String name, boolean partitioned) {
        @Override
        public String toString() {
            return schema + "." + name;
        }
    }
}
