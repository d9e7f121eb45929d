package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application's side of the database, as the demo and the load run use it: rows written in one transaction,
 * the writer's trace reaching the change log through the capture trigger, all or nothing on a failure.
 */
class ApplicationDatabaseIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final TraceContext WRITER = TraceContext.of("4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7", true);

    private ApplicationDatabase application;

    @BeforeEach
    void createCapturedTable() {
        DB.execute("drop table if exists public.orders", "truncate pgobserver.change_log",
                "create table public.orders (id bigserial primary key, customer text not null, "
                        + "total numeric(10,2) not null, status text not null default 'new')");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        application = new PooledApplicationDatabase(DB.database());
    }

    @Test
    void writesTheRowsInOneTransactionCarryingTheWritersTrace() {
        List<String> answers = application.commit(WRITER, List.of(
                Statement.of("insert into public.orders (customer, total) values (?, ?) returning id", "ada", 12.5),
                Statement.of("insert into public.orders (customer, total) values (?, ?)", "grace",
                        new BigDecimal("99.90")),
                Statement.of("update public.orders set status = 'shipped' where customer = ?", "ada")));

        assertThat(answers).containsExactly("1", "1", "1");
        assertThat(rows("select customer || ' ' || total || ' ' || status from public.orders order by id"))
                .containsExactly("ada 12.50 shipped", "grace 99.90 new");
        // Every change of the transaction continues the writer's trace; and the setting ends with it.
        assertThat(rows("select kind || ' ' || coalesce(traceparent, '-') from pgobserver.change_log order by id"))
                .containsExactly("created " + WRITER.traceparent(), "created " + WRITER.traceparent(),
                        "updated " + WRITER.traceparent());
        application.run(Statement.of("insert into public.orders (customer, total) values ('ken', 1)"));
        assertThat(rows("select coalesce(traceparent, '-') from pgobserver.change_log order by id desc limit 1"))
                .containsExactly("-");
    }

    /**
     * Pooled calls give up on a server silent for {@link Database#SILENCE_MILLIS} (frozen, or cut off without a reset)
     * instead of waiting till the operating system does; the application's writes and backfill chunks may wait as
     * long as they take, and the connection they used comes back from the pool bounded again for the next call.
     */
    @Test
    void pooledCallsAreBoundedOnSilenceExceptThoseThatMayRightlyWaitLong() throws SQLException {
        assertBoundedExceptWhileWaitingAsLongAsItTakes(DB.database(), Database.SILENCE_MILLIS);
    }

    /** A {@code socketTimeout} (seconds) in the URL replaces the bound, the driver's URL winning over the pool's. */
    @Test
    void aSocketTimeoutInTheUrlReplacesTheBound() throws Exception {
        DatabaseSettings settings = DB.settings();
        Database database = TestPostgres.startedDatabase(new DatabaseSettings(settings.url() + "?socketTimeout=7",
                settings.user(), settings.password()));
        try {
            assertBoundedExceptWhileWaitingAsLongAsItTakes(database, 7_000);
        } finally {
            database.stop();
        }
    }

    private static void assertBoundedExceptWhileWaitingAsLongAsItTakes(Database database, int boundMillis)
            throws SQLException {
        org.jdbi.v3.core.Jdbi jdbi = database.jdbi();
        PGConnection lifted = jdbi.withHandle(handle -> {
            assertThat(handle.getConnection().getNetworkTimeout()).isEqualTo(boundMillis);
            Database.waitAsLongAsItTakes(handle);
            assertThat(handle.getConnection().getNetworkTimeout()).isZero();
            return handle.getConnection().unwrap(PGConnection.class);
        });
        jdbi.useHandle(handle -> {
            // The same session: the pool hands a thread back the connection it returned last.
            assertThat(handle.getConnection().unwrap(PGConnection.class)).isSameAs(lifted);
            assertThat(handle.getConnection().getNetworkTimeout()).isEqualTo(boundMillis);
        });
    }

    @Test
    void aFailingStatementRollsBackTheWholeTransactionWithTheDatabasesMessage() {
        assertThatThrownBy(() -> application.commit(WRITER, List.of(
                Statement.of("insert into public.orders (id, customer, total) values (?, ?, ?)", 7L, "ada", 1.0),
                Statement.of("insert into public.orders (id, customer, total) values (?, ?, ?)", 7L, "ada", 2.0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("statement 2 of 2 failed, the transaction was rolled back")
                .hasMessageContaining("duplicate key value violates unique constraint \"orders_pkey\"");

        assertThat(rows("select count(*) from public.orders")).containsExactly("0");
        assertThat(rows("select count(*) from pgobserver.change_log")).containsExactly("0");
        assertThatThrownBy(() -> application.run(Statement.of("select * from public.no_such_table")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("relation \"public.no_such_table\" does not exist");
    }

    @Test
    void aStatementRepeatedOnTheSameTextKeepsWorkingOnceTheServerPreparesIt() {
        // The driver switches to a server-side prepared statement after a few executions of the same text: the
        // load run's writer relies on it, and the answers must not change when it happens.
        for (int chunk = 0; chunk < 10; chunk++) {
            List<String> answers = application.commit(TraceContext.NONE, List.of(Statement.of(
                    "insert into public.orders (id, customer, total) select g, repeat('x', ?), 1 "
                            + "from generate_series(?, ?) g", 3, chunk * 100 + 1, chunk * 100 + 100)));
            assertThat(answers).containsExactly("100");
        }
        assertThat(application.run(Statement.of("select count(*) from public.orders where customer = ?", "xxx")))
                .isEqualTo("1000");
        assertThat(application.run(Statement.of("select customer from public.orders where id = ?", -1L))).isNull();
        assertThat(application.run(Statement.of("show server_version"))).matches("\\d+.*");
    }

    @Test
    void statementsAreCheckedBeforeTheyReachTheDatabase() {
        assertThatThrownBy(() -> application.commit(TraceContext.NONE, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one statement");
        assertThatThrownBy(() -> Statement.of("select ?", new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 1 of 'select ?' is a java.lang.Object");
        assertThatThrownBy(() -> Statement.of("select ?, ?", 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parameter 2")
                .hasMessageContaining("write NULL into the SQL");
        assertThatThrownBy(() -> Statement.of(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SQL text");
    }

    private static List<String> rows(String query) {
        return DB.database().jdbi().withHandle(h -> h.createQuery(query).mapTo(String.class).list());
    }
}
