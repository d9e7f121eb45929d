package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ShellWord;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Starts capturing a table's row changes into the change stream. Installing twice is harmless: the second
 * install replaces the first (so it can also change the id column and the columns left out).
 */
public interface CaptureInstaller {

    /**
     * Installs capture on a table, every column of it ({@link #install(String, String, List)} with none left out).
     */
    default List<String> install(String schemaTable, String idColumn) {
        return install(schemaTable, idColumn, List.of());
    }

    /**
     * Installs capture on a table, leaving some columns out of its events: they never reach the change stream, so
     * no action, span or page carries them (a password hash, a token, personal data).
     *
     * @param schemaTable the table as {@code schema.table}, with the names as the catalog spells them
     * @param idColumn    the column whose value becomes the event's entity id, or null for the table's
     *                    single-column primary key
     * @param excluded    the columns left out, as the catalog spells them; empty to capture every column
     * @return the columns an earlier install left out that this one captures again (install replaces the capture
     *         as given), for the command to warn about; empty when none
     * @throws IllegalArgumentException when the table or a column does not exist, the id column is left out, or no
     *                                  id column can be chosen; the message says how to fix it
     */
    List<String> install(String schemaTable, String idColumn, List<String> excluded);

    /**
     * What this process's start did to the schema the changes are captured into (created it, migrated it, or found
     * it as this release leaves it), for {@code install} to say; null for a command that only reads.
     */
    SchemaChange schema();

    /**
     * Why changes of the observed tables would not reach their observers, one per table: a table that is not there
     * (dropped, renamed), not captured, captured as a partition of another table, or whose capture takes the entity
     * id from a column it no longer has. Empty when each is captured as installed. A table that is not there is not
     * always a mistake: applications may write its events to the change stream themselves.
     *
     * @param schemaTables the observers' entities, as {@code schema.table}
     */
    List<Problem> problems(Collection<String> schemaTables);

    /**
     * The columns each of these tables' events carry, for telling an observer that names a column its table has
     * not; a table that is not there is left out (its {@link #problems} say so). Empty when the adapter cannot tell.
     *
     * @param schemaTables the observers' entities, as {@code schema.table}
     */
    default Map<String, Columns> columns(Collection<String> schemaTables) {
        return Map.of();
    }

    /**
     * A table's columns as its events carry them.
     *
     * @param names   the table's columns, in the table's order
     * @param leftOut those of them the capture leaves out of every event ({@code install --exclude-column})
     */
    record Columns(List<String> names, List<String> leftOut) {
        public Columns {
            names = List.copyOf(names);
            leftOut = List.copyOf(leftOut);
        }
    }

    /**
     * The capture of the observed tables as {@code status} and the console report it: one check, so that both say
     * the same. One catalog query for all the tables ({@link #problems}).
     *
     * @param observedEntities the observers' entities, as {@code schema.table}; a table watched twice counts once
     */
    default Check check(Collection<String> observedEntities) {
        List<String> tables = observedEntities.stream().distinct().toList();
        return new Check(tables.size(), tables.isEmpty() ? List.of() : problems(tables));
    }

    /**
     * How the observed tables are captured.
     *
     * @param observedTables how many tables the observers watch
     * @param problems       those whose changes would not reach their observers, each with its advice
     */
    record Check(int observedTables, List<Problem> problems) {

        public Check {
            problems = List.copyOf(problems);
        }

        /** Past this many tables, a line names them all rather than each having its own. */
        public static final int SAID_ONE_BY_ONE = 5;

        /** {@code ok (2 observed table(s) captured as installed)}, or how many are not (their advice follows). */
        public String summary() {
            return problems.isEmpty() ? "ok (" + observedTables + " observed table(s) captured as installed)"
                    : problems.size() + " observed table(s) not captured as installed:";
        }

        /** Each problem's advice, a line each, tables merely not captured yet sharing one ({@link #advice(List)}). */
        public List<String> advice() {
            return advice(problems);
        }

        /**
         * The advice of these problems, a line each. Tables merely not captured yet (a new configuration over a real
         * schema's many tables) share one line with one command that installs them all: sixty lines repeating the
         * same sentence buried the others, and each line's command installed one table. {@code status}, the console
         * and {@code run}'s log say them alike.
         */
        public static List<String> advice(List<Problem> problems) {
            List<String> uncaptured = problems.stream().filter(p -> p.kind() == Problem.Kind.NOT_CAPTURED)
                    .map(Problem::table).toList();
            if (uncaptured.size() <= SAID_ONE_BY_ONE) {
                return problems.stream().map(Problem::advice).toList();
            }
            List<String> lines = new ArrayList<>();
            lines.add(uncaptured.size() + " observed tables are not captured: their changes reach no observer; run "
                    + "'pg-observer install" + uncaptured.stream().map(t -> " --table " + ShellWord.inQuotes(t))
                    .collect(Collectors.joining()) + "'");
            problems.stream().filter(p -> p.kind() != Problem.Kind.NOT_CAPTURED).map(Problem::advice)
                    .forEach(lines::add);
            return lines;
        }
    }

    /**
     * One observed table whose capture is broken.
     *
     * @param table  the table, as {@code schema.table}
     * @param kind   what is wrong, the same for the same cause whatever the details (a metric's label)
     * @param advice one sentence saying what happens to the table's changes and what to do
     */
    record Problem(String table, Kind kind, String advice) {

        public enum Kind {
            /** No such table: renamed or dropped, or never created (its events may be written by hand). */
            MISSING,
            /** The table has no capture trigger. */
            NOT_CAPTURED,
            /** A partition, captured through its partitioned table under that table's name. */
            PARTITION,
            /** The capture's entity id column was renamed or dropped. */
            ID_COLUMN,
            /** A column the capture leaves out was renamed (then captured under its new name) or dropped. */
            LEFT_OUT_COLUMN;

            /** The kind as a metric label or a log reads it: {@code not_captured}. */
            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }
    }
}
