package io.pgobserver.domain.event;

/** How a table is named wherever a user names one: {@code orders} means {@code public.orders}. */
public final class TableName {

    private TableName() {
    }

    /** The name with its schema: {@code public} when none is given, as in PostgreSQL's default search path. */
    public static String qualify(String table) {
        String trimmed = table.strip();
        return trimmed.contains(".") ? trimmed : "public." + trimmed;
    }
}
