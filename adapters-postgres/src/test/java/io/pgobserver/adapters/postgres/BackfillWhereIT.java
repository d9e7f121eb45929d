package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A backfill's {@code --where} against PostgreSQL: a condition that would escape the chunk's key bound is refused at
 * the start, and one that got in anyway (stored before the start check knew better) stops at the first chunk that
 * reads a row again, instead of logging the same rows for ever.
 */
class BackfillWhereIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private PostgresBackfills backfills;

    @BeforeEach
    void table() {
        DB.execute("drop table if exists public.orders", "truncate pgobserver.change_log",
                "delete from pgobserver.backfills",
                "create table public.orders (id int primary key, status text not null)",
                "insert into public.orders select g, case when g % 10 = 0 then 'archived' else 'new' end "
                        + "from generate_series(1, 40) g");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        backfills = new PostgresBackfills(DB.database());
    }

    @Test
    void aConditionClosingTheStatementsParenthesisIsRefusedAtTheStart() throws SQLException {
        assertThatThrownBy(() -> backfills.start(new BackfillRequest("public.orders", null, "1=1) or (1=1", 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--where '1=1) or (1=1' cannot be used on public.orders: it has a ')' that "
                        + "closes a parenthesis the condition did not open (character 4)");
        assertThatThrownBy(() -> backfills.start(new BackfillRequest("public.orders", null, "id > 0; select 1", 10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a ';'");
        assertThat(count("select count(*) from pgobserver.backfills")).as("backfills started").isZero();
    }

    @Test
    void parenthesesInsideLiteralsAndQuotedNamesDoNotCount() throws SQLException {
        Backfill started = backfills.start(new BackfillRequest("public.orders", null,
                "status <> ')' and \"status\" <> $$(( $$ and (status <> 'archived')", 10));
        Backfill end = runToEnd(started.id());
        assertThat(end.state()).isEqualTo(Backfill.State.FINISHED);
        assertThat(end.rowsDone()).isEqualTo(36);
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read'")).isEqualTo(36);
    }

    @Test
    void aChunkThatReadsRowsAgainFailsAndLogsNothing() throws SQLException {
        long id = stored("1=1) or (1=1");
        backfills.runChunk(id); // the first chunk has no key bound to escape: rows 1 to 10
        assertThatThrownBy(() -> backfills.runChunk(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backfill " + id + ": its chunk read 10 row(s) at or before its last key (10)")
                .hasMessageContaining("--where '1=1) or (1=1' escapes the key bound")
                .hasMessageContaining("'backfill --cancel'");
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read'")).isEqualTo(10);
        assertThat(count("select rows_done from pgobserver.backfills where id = " + id)).isEqualTo(10);
    }

    /** The key moves forward here, but rows 1 to 3 come again: the check is on every row, not on the last key. */
    @Test
    void aChunkThatMovesTheKeyButReadsSomeRowsAgainFails() throws SQLException {
        long id = stored("1=1) or (id <= 3");
        backfills.runChunk(id);
        assertThatThrownBy(() -> backfills.runChunk(id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backfill " + id + ": its chunk read 3 row(s) at or before its last key (10)");
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read'")).isEqualTo(10);
    }

    @Test
    void aConditionFailingOnARowSaysHowToChangeIt() {
        Backfill started = backfills.start(new BackfillRequest("public.orders", null, "100 / (id - 15) > -1000", 10));
        backfills.runChunk(started.id());
        assertThatThrownBy(() -> backfills.runChunk(started.id()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("division by zero")
                .hasMessageContaining("fix the table or the rows it fails on, then 'backfill --resume'")
                .hasMessageContaining("cancel it with 'backfill --cancel' and start a new backfill with the "
                        + "corrected --where");
    }

    private Backfill runToEnd(long id) {
        Backfill current = backfills.runChunk(id);
        while (current.state() == Backfill.State.RUNNING) {
            current = backfills.runChunk(id);
        }
        return current;
    }

    /** A running backfill written as the start's check of old let it in. */
    private static long stored(String where) throws SQLException {
        return count("insert into pgobserver.backfills (table_name, where_clause, chunk) values ('public.orders', '"
                + where.replace("'", "''") + "', 10) returning id");
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
