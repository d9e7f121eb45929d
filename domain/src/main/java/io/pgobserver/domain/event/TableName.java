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

    /**
     * The name as one word of a command in the advice a user pastes into a shell, where the command is already in
     * single quotes ({@code run 'pg-observer install --table "Sales Dept.Order Items"'}): double quotes when the
     * shell would split it.
     */
    public static String shellWord(String table) {
        return table.matches("[A-Za-z0-9_.]+") ? table
                : '"' + table.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$")
                .replace("`", "\\`") + '"';
    }
}
