package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import io.pgobserver.domain.port.Backfills;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running backfill whose process is gone ({@code kill -9}, a crash, a lost session) reads as interrupted, not as
 * running: only a process that attends it, through a session of its own, makes it read as running.
 */
class BackfillAttendanceIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private PostgresBackfills backfills;

    @BeforeEach
    void table() {
        DB.execute("drop table if exists public.orders", "truncate pgobserver.change_log",
                "delete from pgobserver.backfills",
                "create table public.orders (id int primary key, status text not null)",
                "insert into public.orders select g, 'new' from generate_series(1, 40) g");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        backfills = new PostgresBackfills(DB.database());
    }

    /** What a killed process leaves: the row, its progress, and no session. */
    @Test
    void aRunningBackfillThatNoProcessAttendsIsInterrupted() {
        long id = backfills.start(new BackfillRequest("public.orders", null, null, 10)).id();
        backfills.runChunk(id);

        Backfill left = backfills.running("public.orders").orElseThrow();
        assertThat(left.state()).as("still resumable").isEqualTo(Backfill.State.RUNNING);
        assertThat(left.interrupted()).isTrue();
        assertThat(left.shownState()).isEqualTo("interrupted");
        assertThat(backfills.recent(5)).singleElement().extracting(Backfill::shownState).isEqualTo("interrupted");
        assertThat(backfills.running()).singleElement().extracting(Backfill::interrupted).isEqualTo(true);
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void anAttendedBackfillRunsUntilItsLastProcessIsGoneAndARenewalOrAResumeAttendsItAgain() throws Exception {
        long id;
        try (Backfills.Attendance first = backfills.attend("orders")) {
            id = backfills.start(new BackfillRequest("public.orders", null, null, 10)).id();
            backfills.runChunk(id);
            assertThat(backfills.running("public.orders").orElseThrow().shownState()).isEqualTo("running");

            Backfills.Attendance second = backfills.attend("public.orders");
            first.close();
            assertThat(backfills.running("public.orders").orElseThrow().attended())
                    .as("another process still runs it").isTrue();

            // The second process dies without a word: its session ends, as on kill -9.
            DB.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                    + "where application_name like 'pg-observer backfill public.orders %'");
            while (backfills.running("public.orders").orElseThrow().attended()) {
                Thread.sleep(20); // the server ends the session after the call returns
            }
            assertThat(backfills.running("public.orders").orElseThrow().shownState()).isEqualTo("interrupted");

            // A process that lives on (its session ended in a failover) takes it again after its next chunk.
            second.renew();
            assertThat(backfills.running("public.orders").orElseThrow().shownState()).isEqualTo("running");
            second.close();
        }

        try (Backfills.Attendance resumed = backfills.attend("public.orders")) {
            assertThat(backfills.resume(id).shownState()).isEqualTo("running");
            Backfill end = backfills.runChunk(id);
            while (end.state() == Backfill.State.RUNNING) {
                end = backfills.runChunk(id);
            }
            assertThat(end.shownState()).isEqualTo("finished");
            assertThat(end.rowsDone()).isEqualTo(40);
        }
    }

    /** The same table in another database of the cluster is another backfill. */
    @Test
    void anAttendanceCountsInItsOwnDatabaseOnly() throws Exception {
        backfills.start(new BackfillRequest("public.orders", null, null, 10));
        DatabaseSettings other = TestPostgres.newDatabase();
        Database elsewhere = TestPostgres.startedDatabase(other);
        try (Backfills.Attendance attendance = new PostgresBackfills(elsewhere).attend("public.orders")) {
            assertThat(backfills.running("public.orders").orElseThrow().interrupted()).isTrue();
        } finally {
            elsewhere.stop();
        }
    }
}
