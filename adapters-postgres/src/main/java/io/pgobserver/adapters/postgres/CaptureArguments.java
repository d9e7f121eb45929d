package io.pgobserver.adapters.postgres;

import org.jdbi.v3.core.Handle;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The capture trigger's arguments as {@code install} wrote them: the entity id column, then a partitioned table's
 * oid (V10; empty for a plain table), then the columns left out of the events as a text array literal (V13).
 * {@code pg_trigger.tgargs} holds them each ended by a zero byte.
 *
 * @param idColumn the entity id column
 * @param excluded the columns left out, as a text array literal ({@code {password_hash,token}}); null for none
 */
record CaptureArguments(String idColumn, String excluded) {

    private static final String TRIGGER_ARGUMENTS = """
            select tgargs from pg_trigger where tgrelid = :oid::oid and tgname = :trigger
            """;

    /** The arguments of the table's own capture trigger; null when it has none. */
    static CaptureArguments of(Handle handle, long tableOid) {
        return handle.createQuery(TRIGGER_ARGUMENTS).bind("oid", tableOid)
                .bind("trigger", PostgresCaptureInstaller.TRIGGER)
                .map((rs, ctx) -> parse(rs.getBytes("tgargs"))).findOne().orElse(null);
    }

    static CaptureArguments parse(byte[] tgargs) {
        List<String> arguments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < tgargs.length; i++) {
            if (tgargs[i] == 0) {
                arguments.add(new String(tgargs, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return new CaptureArguments(arguments.isEmpty() ? "" : arguments.getFirst(),
                arguments.size() > 2 ? arguments.get(2) : null);
    }

    /** The columns left out, as the server reads the array literal (quotes and escapes are its to undo). */
    List<String> excludedColumns(Handle handle) {
        return excluded == null ? List.of() : handle.createQuery("select unnest(cast(:excluded as text[]))")
                .bind("excluded", excluded).mapTo(String.class).list();
    }
}
