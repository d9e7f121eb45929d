package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.OpenTransaction;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Applications that commit in two phases (XA transaction managers: PREPARE TRANSACTION, then COMMIT PREPARED) can
 * write to captured tables once they turn the change stream's notification off for those transactions: PostgreSQL
 * refuses to prepare a transaction that sent one, and every write to change_log sent one. The events are then read
 * by the listener's poll. Needs a server that allows prepared transactions, which stock settings do not
 * ({@code max_prepared_transactions} is 0): this test starts one of its own.
 *
 * <p>A prepared transaction that nobody finishes (its transaction manager died between PREPARE and COMMIT) holds its
 * events back with no session to show it: the change source names it by its gid, whichever role asks.
 */
class TwoPhaseCommitIT {

    private static EmbeddedPostgres postgres;
    private static DatabaseSettings settings;
    private static Database database;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().setServerConfig("max_prepared_transactions", "4").start();
        settings = TestPostgres.newDatabase(postgres);
        database = TestPostgres.startedDatabase(settings);
        TestPostgres.execute(settings, "create table public.orders (id bigint primary key, code text)",
                "create table public.notes (id bigint primary key)");
        new PostgresCaptureInstaller(database).install("public.orders", null);
    }

    @AfterAll
    static void stop() throws Exception {
        database.stop();
        postgres.close();
    }

    /** Leaves no committed row: the other test reads every event of change_log. */
    @Test
    void aPreparedTransactionLeftUnfinishedIsNamedByItsGidUntilRolledBack() throws Exception {
        String watcher = "watcher" + System.nanoTime();
        TestPostgres.execute(settings, "create role " + watcher + " login",
                "grant usage on schema pgobserver to " + watcher,
                "grant select on all tables in schema pgobserver to " + watcher);
        Database asWatcher = TestPostgres.startedDatabase(new DatabaseSettings(settings.url(), watcher, null));
        PostgresChangeSource source = new PostgresChangeSource(database, TestPostgres.listener("late",
                Duration.ofMillis(200)));
        try (Connection early = TestPostgres.connect(settings); Connection tm = TestPostgres.connect(settings);
             Statement before = early.createStatement(); Statement sql = tm.createStatement()) {
            before.execute("begin");
            before.execute("insert into public.orders values (10, 'open before the prepare')");
            sql.execute("begin");
            sql.execute("set local pgobserver.notify = off");
            sql.execute("insert into public.notes values (1)");
            sql.execute("prepare transaction 'wrote elsewhere'");
            sql.execute("begin");
            sql.execute("set local pgobserver.notify = off");
            sql.execute("insert into public.orders values (11, 'prepared')");
            sql.execute("prepare transaction 'tm-1:it''s'");
            Thread.sleep(50); // prepared at least this long ago

            assertThat(source.oldestOpenWriter()).as("the session's transaction is older").map(OpenTransaction::pid)
                    .contains(pid(before));
            before.execute("rollback");
            OpenTransaction prepared = source.oldestOpenWriter().orElseThrow();
            assertThat(prepared.gid()).isEqualTo("tm-1:it's");
            assertThat(prepared.isPrepared()).isTrue();
            assertThat(prepared.state()).isEqualTo("prepared");
            assertThat(prepared.role()).isEqualTo(settings.user());
            assertThat(prepared.age()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            assertThat(prepared.howToEnd()).contains("COMMIT PREPARED 'tm-1:it''s' (its events arrive) or "
                    + "ROLLBACK PREPARED 'tm-1:it''s'");

            OpenTransaction seenByWatcher = new PostgresChangeSource(asWatcher, TestPostgres.listener("late",
                    Duration.ofMillis(200))).oldestOpenWriter().orElseThrow();
            assertThat(seenByWatcher.gid()).as("pg_prepared_xacts is shown to every role").isEqualTo("tm-1:it's");
            assertThat(seenByWatcher.age()).isGreaterThanOrEqualTo(Duration.ofMillis(50));

            sql.execute("rollback prepared 'tm-1:it''s'"); // as howToEnd quotes it
            assertThat(source.oldestOpenWriter()).as("a prepared transaction that wrote no event").isEmpty();
            sql.execute("rollback prepared 'wrote elsewhere'");
        } finally {
            asWatcher.stop();
        }
    }

    private static int pid(Statement sql) throws SQLException {
        try (var rs = sql.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aPreparedTransactionWritesCapturedRowsWithTheNotificationTurnedOffAndTheyAreRead() throws Exception {
        try (Connection app = TestPostgres.connect(settings); Statement sql = app.createStatement()) {
            // By default the write's notification makes PREPARE fail, and with it the application's transaction.
            sql.execute("begin");
            sql.execute("insert into public.orders values (1, 'notified')");
            assertThatThrownBy(() -> sql.execute("prepare transaction 'with-notify'"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("cannot PREPARE a transaction that has executed LISTEN, UNLISTEN, or NOTIFY");
            sql.execute("rollback");

            sql.execute("begin");
            sql.execute("set local pgobserver.notify = off");
            sql.execute("insert into public.orders values (2, 'per transaction')");
            sql.execute("prepare transaction 'per-transaction'");
            sql.execute("commit prepared 'per-transaction'");
        }
        Properties perConnection = new Properties();
        perConnection.setProperty("user", settings.user());
        perConnection.setProperty("options", "-c pgobserver.notify=off");
        try (Connection app = DriverManager.getConnection(settings.url(), perConnection);
             Statement sql = app.createStatement()) {
            sql.execute("begin");
            sql.execute("insert into public.orders values (3, 'per connection')");
            sql.execute("prepare transaction 'per-connection'");
            sql.execute("commit prepared 'per-connection'");
        }

        PostgresChangeSource source = new PostgresChangeSource(database, TestPostgres.listener("2pc",
                Duration.ofMillis(200)));
        try {
            List<ChangeEvent> events = Streams.readAtLeast(source, 2);
            assertThat(events).extracting(ChangeEvent::entityId).containsExactly("2", "3");
        } finally {
            source.stop();
        }
    }
}
