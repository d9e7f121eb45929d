package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Database credentials never need the command line: the jar connects with a password from {@code DATABASE_URL},
 * from {@code ${DB_PASSWORD}} in the file, or from a libpq password file ({@code PGPASSFILE} or {@code ~/.pgpass},
 * read by the driver), against a server that really checks passwords (scram-sha-256). Without one, or with a wrong
 * one, {@code run} does not wait for the database as it does through an outage: it stops with a configuration error
 * naming database.password, exit code 2, and never prints the password it was given.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DatabaseCredentialsIT {

    private static final String PASSWORD = "pw-Cr3dential-9d1e";

    private static Path work;
    private static FaultSupport.Postgres postgres;

    @BeforeAll
    static void serverThatChecksPasswords() throws Exception {
        work = Files.createTempDirectory("pgobserver-credentials");
        Files.deleteIfExists(Path.of("target", "credentials-observer.log"));
        Path data = work.resolve("pgdata");
        postgres = new FaultSupport.Postgres(data).start();
        try (Connection c = postgres.connect("credentials"); Statement s = c.createStatement()) {
            s.execute("set password_encryption = 'scram-sha-256'");
            s.execute("create role observer login password '" + PASSWORD + "'");
            s.execute("grant create on database postgres to observer");
            // The first matching line wins: the observer's role must prove its password over TCP; the test's own
            // administrative sessions stay on trust.
            Files.writeString(data.resolve("pg_hba.conf"), """
                    host  all observer 127.0.0.1/32 scram-sha-256
                    host  all observer ::1/128      scram-sha-256
                    local all all                   trust
                    host  all all      127.0.0.1/32 trust
                    host  all all      ::1/128      trust
                    """);
            s.execute("select pg_reload_conf()");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        FaultSupport.closeAll(work, postgres);
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres";
    }

    /** Runs the observer with this file and environment until it is active (true) or exits (false). */
    private boolean becomesActive(String name, String yaml, Map<String, String> env) throws Exception {
        Path config = work.resolve(name + ".yaml");
        Files.writeString(config, yaml + "listener: { consumer: " + name + " }\nmetrics: { enabled: false }\n"
                + "admin: { port: -1 }\ntracing: { exporter: none }\n");
        Map<String, String> all = new HashMap<>(env);
        // An empty home and password file unless the case sets one: no credentials leak in from the machine.
        all.putIfAbsent("PGPASSFILE", work.resolve("empty.pgpass").toString());
        Files.writeString(work.resolve("empty.pgpass"), "");
        try (ObserverProcess observer = ObserverProcess.start(name, Path.of("target", "credentials-observer.log"),
                all, "run", "--config", config.toString())) {
            await(name + " to become active or exit", Duration.ofMinutes(2),
                    () -> observer.lastLine("' active") > 0 || !observer.isAlive());
            boolean active = observer.isAlive();
            if (!active) {
                assertThat(observer.waitFor(30)).as(observer.output()).isEqualTo(2);
                assertThat(observer.output()).contains("configuration error: cannot connect to PostgreSQL")
                        .contains("database.password").doesNotContain("..").doesNotContain("waiting for");
            }
            assertThat(observer.output()).doesNotContain(PASSWORD);
            return active;
        }
    }

    @Test
    void the_password_can_come_from_database_url() throws Exception {
        assertThat(becomesActive("from-url", "", Map.of("DATABASE_URL",
                "postgres://observer:" + PASSWORD + "@127.0.0.1:" + postgres.port() + "/postgres"))).isTrue();
    }

    @Test
    void the_password_can_come_from_a_variable_in_the_file() throws Exception {
        assertThat(becomesActive("from-variable", "database: { url: \"" + url()
                + "\", user: observer, password: \"${DB_PASSWORD}\" }\n", Map.of("DB_PASSWORD", PASSWORD))).isTrue();
    }

    @Test
    void the_password_can_come_from_a_libpq_password_file() throws Exception {
        Path pgpass = work.resolve("observer.pgpass");
        Files.writeString(pgpass, "127.0.0.1:" + postgres.port() + ":*:observer:" + PASSWORD + "\n");
        assertThat(becomesActive("from-pgpass", "database: { url: \"" + url() + "\", user: observer }\n",
                Map.of("PGPASSFILE", pgpass.toString()))).isTrue();
    }

    @Test
    void a_wrong_password_stops_the_observer_with_a_configuration_error() throws Exception {
        assertThat(becomesActive("wrong-password", "database: { url: \"" + url() + "\", user: observer, "
                + "password: \"${DB_PASSWORD}\" }\n", Map.of("DB_PASSWORD", "not-" + PASSWORD))).isFalse();
    }

    @Test
    void without_a_password_the_observer_stops_with_a_clear_error() throws Exception {
        assertThat(becomesActive("no-password", "database: { url: \"" + url() + "\", user: observer }\n", Map.of()))
                .isFalse();
    }
}
