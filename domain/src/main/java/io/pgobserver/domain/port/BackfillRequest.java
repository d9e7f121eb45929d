package io.pgobserver.domain.port;

import io.pgobserver.domain.event.TableName;

/**
 * What a backfill reads: every row of {@code table} (optionally only those matching {@code where}), {@code chunk}
 * rows per transaction, for every observer of the table or for one.
 *
 * @param table    the table, as {@code schema.table}; it needs a primary key and the capture trigger
 * @param observer the one observer that gets the read events, or null for every observer of the table
 * @param where    an SQL condition on the table's columns ({@code status = 'open'}), or null for every row
 * @param chunk    rows per chunk: each chunk is one transaction that holds its rows' share locks until it commits
 */
public record BackfillRequest(String table, String observer, String where, int chunk) {

    public static final int DEFAULT_CHUNK = 1000;
    public static final int MAX_CHUNK = 100_000;

    public BackfillRequest {
        if (table == null || table.isBlank()) {
            throw new IllegalArgumentException("backfill --table must name a table as schema.table, e.g. public.orders");
        }
        table = TableName.qualify(table);
        observer = observer == null || observer.isBlank() ? null : observer.strip();
        where = where == null || where.isBlank() ? null : where.strip();
        if (chunk < 1 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("backfill --chunk must be between 1 and " + MAX_CHUNK + ", was "
                    + chunk + " (each chunk holds its rows' locks for one transaction; "
                    + DEFAULT_CHUNK + " is the default)");
        }
    }
}
