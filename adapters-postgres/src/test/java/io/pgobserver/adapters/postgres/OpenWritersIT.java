package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.OpenTransaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The open transaction whose events are late, found on a real server: the one that wrote to change_log (through a
 * capture trigger) and is still open, the oldest first; not one that only read it or wrote elsewhere, not the
 * observer's own sessions, none once it commits; and, for a role without pg_read_all_stats, found all the same with
 * its age, state and query unknown.
 */
class OpenWritersIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private PostgresChangeSource source;

    @BeforeEach
    void table() {
        DB.execute("drop table if exists public.orders", "drop table if exists public.notes",
                "create table public.orders (id int primary key, status text not null)",
                "create table public.notes (id int primary key)");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("late", Duration.ofMillis(200)));
    }

    @Test
    void theOldestOpenTransactionThatWroteEventsIsNamedUntilItCommits() throws Exception {
        assertThat(source.oldestOpenWriter()).isEmpty();
        try (Connection billing = open("billing"); Connection later = open("later");
             Connection reader = open("reader")) {
            exec(reader, "select count(*) from pgobserver.change_log", "insert into public.notes values (1)");
            exec(billing, "insert into public.orders values (1, 'new')");
            Thread.sleep(50); // it has been open at least this long
            exec(later, "insert into public.orders values (2, 'new')");

            OpenTransaction open = source.oldestOpenWriter().orElseThrow();
            assertThat(open.pid()).isEqualTo(pid(billing));
            assertThat(open.state()).isEqualTo("idle in transaction");
            assertThat(open.application()).isEqualTo("billing");
            assertThat(open.role()).isEqualTo("postgres");
            assertThat(open.query()).isEqualTo("insert into public.orders values (1, 'new')");
            assertThat(open.age()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
            assertThat(open.describe(null)).matches("pid " + open.pid() + ", idle in transaction for \\d+s "
                    + "\\(app 'billing', role 'postgres'\\)");

            billing.commit();
            assertThat(source.oldestOpenWriter()).map(OpenTransaction::pid).contains(pid(later));
            later.rollback();
            assertThat(source.oldestOpenWriter()).as("a transaction that only read change_log or wrote elsewhere")
                    .isEmpty();
        }
    }

    @Test
    void theObserversOwnSessionsAreLeftOut() throws Exception {
        try (Connection backfill = open("pg-observer backfill public.orders 1@host")) {
            exec(backfill, "insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                    + "values ('public.orders', '1', 'read', '{}')");
            assertThat(source.oldestOpenWriter()).isEmpty();
            backfill.rollback();
        }
    }

    @Test
    void withoutPgReadAllStatsItIsFoundWithItsAgeStateAndQueryUnknown() throws Exception {
        String watcher = "watcher" + System.nanoTime(); // roles are the server's, shared by every test class
        DB.execute("create role " + watcher + " login", "grant usage on schema pgobserver to " + watcher,
                "grant select on all tables in schema pgobserver to " + watcher);
        Database asWatcher = TestPostgres.startedDatabase(new DatabaseSettings(DB.settings().url(), watcher, null));
        try (Connection billing = open("billing")) {
            exec(billing, "insert into public.orders values (3, 'new')");
            Optional<OpenTransaction> found = new PostgresChangeSource(asWatcher,
                    TestPostgres.listener("late", Duration.ofMillis(200))).oldestOpenWriter();

            OpenTransaction open = found.orElseThrow();
            assertThat(open.pid()).isEqualTo(pid(billing));
            assertThat(open.application()).isEqualTo("billing");
            assertThat(open.role()).isEqualTo("postgres");
            assertThat(open.age()).isNull();
            assertThat(open.state()).isNull();
            assertThat(open.query()).isNull();
            assertThat(open.describe(null)).isEqualTo("pid " + pid(billing) + " (app 'billing', role 'postgres'), "
                    + "open for a time the database does not show: grant pg_read_all_stats to the observer's role "
                    + "to see its age, state and query");
            billing.rollback();
        } finally {
            asWatcher.stop();
        }
    }

    private static Connection open(String application) throws SQLException {
        Connection connection = DriverManager.getConnection(DB.settings().url() + "?ApplicationName="
                + application.replace(" ", "%20"), DB.settings().user(), null);
        connection.setAutoCommit(false);
        return connection;
    }

    private static void exec(Connection connection, String... sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
    }

    private static int pid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
