package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.Lifecycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The database's start against a real server, told apart by what cures it: nothing listening, an unknown host and a
 * server shutting down are outages that {@code run} waits out ({@link Lifecycle.Unavailable}), and the same instance
 * starts once the server answers; an unknown database or user, or a user without CREATE, are settings to fix
 * ({@link IllegalArgumentException} naming them).
 */
class DatabaseStartIT {

    /** Starts stopped by PostgreSQL's stop in {@link #a_server_stopping_as_the_start_migrates_is_an_outage}. */
    private static final int STOPPED_STARTS = 8;

    @Test
    void nothing_listening_is_an_outage_naming_host_and_port() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Database database = new Database(new DatabaseSettings("jdbc:postgresql://127.0.0.1:" + port + "/app",
                "app", new Secret("s3cret")));
        assertThatThrownBy(database::start).isInstanceOfSatisfying(Lifecycle.Unavailable.class, e -> {
            assertThat(e.service()).isEqualTo("PostgreSQL at jdbc:postgresql://127.0.0.1:" + port + "/app");
            assertThat(e.reason()).isEqualTo("Connection refused");
            assertThat(e.getMessage()).doesNotContain("s3cret");
        });
    }

    @Test
    void an_unknown_host_is_an_outage_since_names_may_come_later() {
        Database database = new Database(new DatabaseSettings(
                "jdbc:postgresql://pgobserver-no-such-host.invalid:5432/app", "app", null));
        assertThatThrownBy(database::start).isInstanceOfSatisfying(Lifecycle.Unavailable.class,
                e -> assertThat(e.reason()).isEqualTo("unknown host pgobserver-no-such-host.invalid"));
    }

    @Test
    void a_server_shutting_down_is_an_outage_and_the_start_succeeds_once_it_is_back(@TempDir Path data)
            throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start(data)) {
            DatabaseSettings settings = TestPostgres.settings(postgres.server(), "postgres");
            Database database = new Database(settings);
            try (Connection held = TestPostgres.connect(settings)) {
                // pg_ctl's "smart" mode: no new session, and the server stops once the open ones end.
                long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).getFirst().strip());
                assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(postmaster)).start().waitFor()).isZero();
                String refused = refusal(settings);
                for (int polls = 0; refused == null && polls < 600; polls++) {
                    Thread.sleep(50); // the postmaster has not handled the signal yet
                    refused = refusal(settings);
                }
                assertThat(refused).as("SQLSTATE of a new session while the server shuts down").isEqualTo("57P03");
                assertThatThrownBy(database::start).isInstanceOfSatisfying(Lifecycle.Unavailable.class,
                        e -> assertThat(e.reason()).isEqualTo("FATAL: the database system is shutting down"));
                held.close();
                ProcessHandle.of(postmaster).ifPresent(p -> p.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            }
            postgres.stop(); // releases the data directory the stopped server left
            postgres.start();
            database.start();
            try {
                long migrations = database.jdbi().withHandle(h -> h.createQuery("select count(*) from "
                        + Database.SCHEMA + ".flyway_schema_history").mapTo(Long.class).one());
                assertThat(migrations).isPositive();
            } finally {
                database.stop();
            }
        }
    }

    /**
     * PostgreSQL stopped just as the pool has opened its first session, when the migration tool sets out: it meets
     * the session cut, and may then say only "Connection is closed" (the pool's words for a session it dropped, with
     * no SQLSTATE) from its next call. Each round is an outage that {@code run} waits out, or a start that was quick
     * enough, never a failed start; before, {@code run} exited 1 ("cannot migrate the pgobserver schema …:
     * Connection is closed") when the database stopped during its start, as a standby started during a failover.
     */
    @Test
    void a_server_stopping_as_the_start_migrates_is_an_outage(@TempDir Path data) throws Exception {
        try (RestartablePostgres postgres = RestartablePostgres.start(data)) {
            DatabaseSettings settings = TestPostgres.settings(postgres.server(), "postgres");
            TestPostgres.startedDatabase(settings).stop(); // the schema is there, as after install
            for (int round = 1; round <= STOPPED_STARTS; round++) {
                Database database = new Database(settings);
                CompletableFuture<Throwable> start;
                try (Connection watch = TestPostgres.connect(settings)) {
                    start = CompletableFuture.supplyAsync(() -> {
                        try {
                            database.start();
                            database.stop();
                            return null;
                        } catch (Lifecycle.Unavailable | Lifecycle.NotInstalled | RuntimeException e) {
                            return e; // NotInstalled comes only from a read-only start, not this one: the round fails on it
                        }
                    });
                    while (!start.isDone() && !poolOpen(watch)) {
                        Thread.onSpinWait(); // each poll is a query: the stop lands within a millisecond or so
                    }
                    postgres.stop(); // fast: every session is cut, the migration's among them
                }
                Throwable failure = start.get(60, TimeUnit.SECONDS);
                if (failure != null && !(failure instanceof Lifecycle.Unavailable)) {
                    throw new AssertionError("round " + round + ": the start failed instead of waiting", failure);
                }
                postgres.start();
            }
        }
    }

    /** Whether the pool's first session is open (the watch's own session is named otherwise). */
    private static boolean poolOpen(Connection watch) throws SQLException {
        try (var rs = watch.createStatement().executeQuery(
                "select exists (select 1 from pg_stat_activity where application_name = 'pg-observer')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void an_unknown_database_is_a_setting_to_fix() {
        DatabaseSettings settings = TestPostgres.settings(TestPostgres.shared(), "pgobserver_no_such_db");
        assertThatThrownBy(() -> new Database(settings).start()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database \"pgobserver_no_such_db\" does not exist")
                .hasMessageContaining("Check the database name in database.url");
    }

    @Test
    void an_unknown_user_is_a_setting_to_fix() {
        DatabaseSettings admin = TestPostgres.settings(TestPostgres.shared(), "postgres");
        assertThatThrownBy(() -> new Database(new DatabaseSettings(admin.url(), "pgobserver_ghost", null)).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role \"pgobserver_ghost\" does not exist")
                .hasMessageContaining("Check database.user");
    }

    @Test
    void a_user_without_create_on_the_database_is_a_setting_to_fix() {
        DatabaseSettings database = TestPostgres.newDatabase();
        TestPostgres.execute(database, "create role pgobserver_reader login");
        try {
            assertThatThrownBy(() -> new Database(new DatabaseSettings(database.url(), "pgobserver_reader", null))
                    .start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot migrate the pgobserver schema at " + database.url() + ": ERROR: permission "
                            + "denied for database " + name(database) + ". The database user needs CREATE on the "
                            + "database: GRANT CREATE ON DATABASE " + name(database) + " TO pgobserver_reader, or set "
                            + "a database.user that has it.");
        } finally {
            TestPostgres.execute(database, "drop role pgobserver_reader");
        }
    }

    /** The schema installed by one role and started by another: CREATE on the database is no cure, its owner is. */
    @Test
    void a_user_other_than_the_schemas_owner_is_told_to_use_the_owner() throws Exception {
        DatabaseSettings database = TestPostgres.newDatabase();
        TestPostgres.startedDatabase(database).stop();
        TestPostgres.execute(database, "create role pgobserver_other login",
                "grant create on database " + name(database) + " to pgobserver_other");
        try {
            assertThatThrownBy(() -> new Database(new DatabaseSettings(database.url(), "pgobserver_other", null))
                    .start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot migrate the pgobserver schema at " + database.url() + ": ERROR: permission "
                            + "denied for schema pgobserver. The pgobserver schema belongs to the role that installed "
                            + "it: set database.user to that role, or make pgobserver_other a member of it (GRANT "
                            + "<owner> TO pgobserver_other; SELECT nspowner::regrole FROM pg_namespace WHERE nspname "
                            + "= 'pgobserver' names it).");
        } finally {
            TestPostgres.execute(database, "revoke create on database " + name(database) + " from pgobserver_other",
                    "drop role pgobserver_other");
        }
    }

    private static String name(DatabaseSettings database) {
        return database.url().substring(database.url().lastIndexOf('/') + 1);
    }

    /** The SQLSTATE a new session is refused with, or null when it is let in. */
    private static String refusal(DatabaseSettings settings) {
        try (Connection ignored = DriverManager.getConnection(settings.url(), settings.user(), null)) {
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }
}
