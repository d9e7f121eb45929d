package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.SchemaChange;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory fake of {@link CaptureInstaller}: a table is captured once installed, and every other observed table
 * is reported not captured, with the advice the PostgreSQL adapter gives for it.
 */
public final class InMemoryCaptureInstaller implements CaptureInstaller {

    private final Set<String> captured = ConcurrentHashMap.newKeySet();

    /** Every given table captured, as after {@code pg-observer install} of each. */
    public InMemoryCaptureInstaller(String... captured) {
        this.captured.addAll(List.of(captured));
    }

    @Override
    public List<String> install(String schemaTable, String idColumn, List<String> excluded) {
        captured.add(schemaTable);
        return List.of();
    }

    /** Memory has no schema to migrate: always this release's. */
    @Override
    public SchemaChange schema() {
        return new SchemaChange("current", "current");
    }

    /** The table's capture trigger is gone, as when a migration recreates the table. */
    public void drop(String schemaTable) {
        captured.remove(schemaTable);
    }

    @Override
    public List<Problem> problems(Collection<String> schemaTables) {
        return schemaTables.stream().filter(table -> !captured.contains(table))
                .map(table -> new Problem(table, Problem.Kind.NOT_CAPTURED, "observed table " + table
                        + " is not captured: its changes reach no observer; run 'pg-observer install --table "
                        + table + "'"))
                .toList();
    }
}
