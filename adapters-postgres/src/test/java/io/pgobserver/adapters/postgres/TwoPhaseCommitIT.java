package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
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
        TestPostgres.execute(settings, "create table public.orders (id bigint primary key, code text)");
        new PostgresCaptureInstaller(database).install("public.orders", null);
    }

    @AfterAll
    static void stop() throws Exception {
        database.stop();
        postgres.close();
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
