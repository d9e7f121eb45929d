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
 * reads a row again, instead of logging the same rows for ever. A chunk that fails so records the backfill as stopped,
 * with why, until a chunk succeeds, a resume or a cancel.
 */
class BackfillWhereIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private PostgresBackfills backfills;

    @BeforeEach
    void table() {
        DB.execute("drop trigger if exists refuse_stops on pgobserver.backfills",
                "drop table if exists public.orders", "truncate pgobserver.change_log",
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

    /** The columns the capture leaves out are left out of the backfill's read events too. */
    @Test
    void aBackfillLeavesOutTheColumnsTheCaptureLeavesOut() throws SQLException {
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null, java.util.List.of("status"));
        assertThat(runToEnd(backfills.start(new BackfillRequest("public.orders", null, "status = 'new'", 10)).id())
                .rowsDone()).isEqualTo(36);
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read'")).isEqualTo(36);
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read' and after ? 'status'"))
                .isZero();
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read' and after ? 'id'"))
                .isEqualTo(36);
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
        Backfill stopped = backfills.running("public.orders").orElseThrow();
        assertThat(stopped.stop()).as("recorded as stopped").isNotNull();
        assertThat(stopped.stop().error()).startsWith("its chunk read 10 row(s) at or before its last key (10)")
                .doesNotContain("'backfill --cancel'");
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

    /** Status must tell a backfill that stopped on an error from one making progress; both stay 'running'. */
    @Test
    void aChunkFailingOnARowStopsTheBackfillUntilAChunkSucceeds() throws SQLException {
        DB.execute("update public.orders set status = '' where id = 15");
        Backfill started = backfills.start(new BackfillRequest("public.orders", null, "100 / length(status) > 0", 10));
        assertThat(backfills.runChunk(started.id()).stop()).isNull();
        assertThatThrownBy(() -> backfills.runChunk(started.id()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("division by zero");

        Backfill stopped = backfills.running("public.orders").orElseThrow();
        assertThat(stopped.state()).as("still resumable and cancellable").isEqualTo(Backfill.State.RUNNING);
        assertThat(stopped.rowsDone()).isEqualTo(10);
        assertThat(stopped.stop()).isNotNull();
        assertThat(stopped.stop().error()).isEqualTo("its chunk fails: ERROR: division by zero");
        assertThat(stopped.stop().at()).isAfterOrEqualTo(stopped.updatedAt());
        assertThat(stopped.shownState()).isEqualTo("stopped");
        assertThat(backfills.recent(5)).singleElement().extracting(Backfill::stop).isEqualTo(stopped.stop());
        assertThat(backfills.running()).singleElement().extracting(Backfill::stopped).isEqualTo(true);

        assertThatThrownBy(() -> backfills.runChunk(started.id())).as("unfixed, it fails again")
                .hasMessageContaining("division by zero");
        DB.execute("update public.orders set status = 'new' where id = 15");
        Backfill next = backfills.runChunk(started.id());
        assertThat(next.stop()).as("a chunk that succeeds clears the stop").isNull();
        assertThat(next.rowsDone()).isEqualTo(20);
        assertThat(count("select count(*) from pgobserver.backfills where last_error is not null "
                + "or stopped_at is not null")).isZero();
        assertThat(runToEnd(started.id()).state()).isEqualTo(Backfill.State.FINISHED);
    }

    @Test
    void aResumeAStartAgainAndACancelClearTheStop() throws SQLException {
        DB.execute("update public.orders set status = '' where id = 5");
        BackfillRequest request = new BackfillRequest("public.orders", null, "100 / length(status) > 0", 10);
        long id = backfills.start(request).id();
        assertThatThrownBy(() -> backfills.runChunk(id)).hasMessageContaining("division by zero");
        assertThat(backfills.running("public.orders").orElseThrow().stopped()).isTrue();
        assertThat(backfills.resume(id).stop()).as("resumed").isNull();

        assertThatThrownBy(() -> backfills.runChunk(id)).hasMessageContaining("division by zero");
        Backfill again = backfills.start(request);
        assertThat(again.id()).isEqualTo(id);
        assertThat(again.stop()).as("the same backfill command run again resumes it").isNull();

        assertThatThrownBy(() -> backfills.runChunk(id)).hasMessageContaining("division by zero");
        Backfill cancelled = backfills.cancel("public.orders").orElseThrow();
        assertThat(cancelled.state()).isEqualTo(Backfill.State.CANCELLED);
        assertThat(cancelled.stop()).isNull();
        assertThat(count("select count(*) from pgobserver.backfills where id = " + id
                + " and last_error is null and stopped_at is null")).isEqualTo(1);
    }

    /** The database quotes the value it failed on: the stop keeps the start of a long message and says it was cut. */
    @Test
    void aLongErrorIsRecordedCutSayingSo() throws SQLException {
        Backfill started = backfills.start(new BackfillRequest("public.orders", null,
                "(status || repeat('x', 5000))::int > 0", 10));
        assertThatThrownBy(() -> backfills.runChunk(started.id()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid input syntax");

        String error = backfills.running("public.orders").orElseThrow().stop().error();
        assertThat(error).startsWith("its chunk fails: ERROR: invalid input syntax for type integer: \"newxxx")
                .matches("(?s).{1000} \\.\\.\\. \\[cut: \\d+ more characters]");
        assertThat(count("select length(last_error) from pgobserver.backfills where id = " + started.id()))
                .isLessThan(1100);
    }

    /** The operator must learn why the chunk failed even when the stop cannot be written. */
    @Test
    void aStopThatCannotBeRecordedDoesNotHideTheChunksFailure() {
        DB.execute("""
                create or replace function public.refuse_stops() returns trigger language plpgsql as $$
                begin raise exception 'no stops today'; end $$""",
                "create trigger refuse_stops before update on pgobserver.backfills for each row "
                        + "when (new.last_error is not null) execute function public.refuse_stops()");
        Backfill started = backfills.start(new BackfillRequest("public.orders", null, "100 / (id - 5) > -1000", 10));
        assertThatThrownBy(() -> backfills.runChunk(started.id()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("backfill " + started.id() + ": its chunk fails: ERROR: division by zero")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().asString().contains("no stops today"));
        assertThat(backfills.running("public.orders").orElseThrow().stop()).isNull();
    }
}
