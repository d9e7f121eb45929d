package io.pgobserver.adapters.postgres;

import com.zaxxer.hikari.pool.HikariPool;
import io.pgobserver.domain.spi.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The server's refusals that no test server can be made to give on demand (starting up, in recovery, out of
 * connections), as the driver reports them inside the pool's exception: an outage or a setting, by SQLSTATE. The
 * others are given by a real server in {@code DatabaseStartIT}.
 */
class StartFailuresTest {

    private static final String WHERE = "jdbc:postgresql://db:5432/app";

    /** The driver's exception for a server's FATAL error at connection time, wrapped as the pool wraps it. */
    private static RuntimeException refused(String state, String message) {
        return new HikariPool.PoolInitializationException(new PSQLException(new ServerErrorMessage(
                "SFATAL\u0000VFATAL\u0000C" + state + "\u0000M" + message + "\u0000")));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            57P03 | the database system is starting up
            57P03 | the database system is not yet accepting connections
            57P03 | the database system is in recovery mode
            57P03 | the database system is shutting down
            57P01 | terminating connection due to administrator command
            57P02 | terminating connection because of crash of another server process
            53300 | sorry, too many clients already
            """)
    void a_server_that_cannot_take_sessions_yet_is_an_outage(String state, String message) {
        assertThatThrownBy(() -> StartFailures.connecting(WHERE, "app", refused(state, message)))
                .isInstanceOfSatisfying(Lifecycle.Unavailable.class, e -> {
                    assertThat(e.service()).isEqualTo("PostgreSQL at " + WHERE);
                    assertThat(e.reason()).isEqualTo("FATAL: " + message);
                });
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            28P01 | password authentication failed for user "app"       | check database.password
            28000 | no pg_hba.conf entry for host "10.0.0.7", user "app" | and that the server's pg_hba.conf
            3D000 | database "shop" does not exist                        | Check the database name in database.url
            42501 | permission denied for database app                    | GRANT CONNECT ON DATABASE app TO app
            """)
    void settings_the_server_refuses_are_configuration_errors_naming_the_fix(String state, String message, String fix)
            throws Lifecycle.Unavailable {
        assertThat(StartFailures.connecting(WHERE, "app", refused(state, message)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot connect to PostgreSQL at " + WHERE + ": FATAL: " + message + ". ")
                .hasMessageContaining(fix);
    }

    /** A reading role refused a table, most often one that a new release added after its grants were made. */
    @org.junit.jupiter.api.Test
    void a_reading_role_refused_a_table_is_told_the_grants_and_the_default_privileges_that_keep_them()
            throws Lifecycle.Unavailable {
        PSQLException refusedTable = new PSQLException(new ServerErrorMessage(
                "SERROR\u0000VERROR\u0000C42501\u0000Mpermission denied for table parked_events\u0000"));
        assertThat(StartFailures.reading(WHERE, "monitor", refusedTable))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read the pgobserver schema at " + WHERE
                        + ": ERROR: permission denied for table parked_events.")
                .hasMessageContaining("GRANT SELECT ON ALL TABLES IN SCHEMA pgobserver TO monitor")
                .hasMessageContaining("ALTER DEFAULT PRIVILEGES IN SCHEMA pgobserver GRANT SELECT ON TABLES TO monitor");
    }

    /** A failure that no privilege cures (here the schema's history not matching the jar) gives no GRANT advice. */
    @org.junit.jupiter.api.Test
    void a_migration_that_fails_for_another_reason_says_that_reason_alone() throws Lifecycle.Unavailable {
        assertThat(StartFailures.migrating(WHERE, "app", new IllegalStateException("Validate failed: Migration "
                + "checksum mismatch for migration version 11")))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("cannot migrate the pgobserver schema at " + WHERE + ": Validate failed: Migration checksum "
                        + "mismatch for migration version 11.");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "|", textBlock = """
            XX000 | internal error
            08P01 | invalid startup packet layout
            """)
    void other_failures_stay_failures(String state, String message) throws Lifecycle.Unavailable {
        assertThat(StartFailures.connecting(WHERE, "app", refused(state, message)))
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Check database.url, database.user and database.password");
    }

    /** What the pool's proxy throws for a call on a session it dropped after the server cut it: no SQLSTATE. */
    private static final RuntimeException CLOSED = new IllegalStateException("Error retrieving the database name",
            new java.sql.SQLException("Connection is closed"));

    @org.junit.jupiter.api.Test
    void a_failure_in_other_words_while_the_server_does_not_answer_is_an_outage() {
        PSQLException shuttingDown = new PSQLException(new ServerErrorMessage(
                "SFATAL\u0000VFATAL\u0000C57P03\u0000Mthe database system is shutting down\u0000"));
        assertThatThrownBy(() -> StartFailures.outageBehind(WHERE, CLOSED, () -> shuttingDown))
                .isInstanceOfSatisfying(Lifecycle.Unavailable.class, e -> {
                    assertThat(e.reason()).isEqualTo("FATAL: the database system is shutting down");
                    assertThat(e.getCause().getSuppressed()).containsExactly(CLOSED);
                });
    }

    /**
     * A server that takes the connection and never answers (a socket nobody reads, as a frozen server): the driver's
     * attempt runs out of its login timeout, an outage to wait out. Before, the pool's attempt set none and waited a
     * minute in a read no stop could end.
     */
    @org.junit.jupiter.api.Test
    void an_attempt_on_a_server_that_never_answers_times_out_as_an_outage() throws Exception {
        try (ServerSocket frozen = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Properties props = new Properties();
            props.setProperty("loginTimeout", "1");
            String url = "jdbc:postgresql://127.0.0.1:" + frozen.getLocalPort() + "/app";
            SQLException timedOut = assertThrows(SQLException.class, () -> new Driver().connect(url, props));
            assertThatThrownBy(() -> StartFailures.connecting(WHERE, "app",
                    new HikariPool.PoolInitializationException(timedOut)))
                    .isInstanceOfSatisfying(Lifecycle.Unavailable.class,
                            e -> assertThat(e.reason()).isEqualTo("Connection attempt timed out"));
        }
    }

    @org.junit.jupiter.api.Test
    void a_failure_in_other_words_while_the_server_answers_stays_a_failure() throws Lifecycle.Unavailable {
        StartFailures.outageBehind(WHERE, CLOSED, () -> null);
        StartFailures.outageBehind(WHERE, CLOSED, () -> new PSQLException(new ServerErrorMessage(
                "SFATAL\u0000VFATAL\u0000C28P01\u0000Mpassword authentication failed for user \"app\"\u0000")));
        assertThat(StartFailures.migrating(WHERE, "app", CLOSED)).isExactlyInstanceOf(IllegalStateException.class);
    }
}
