package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CaptureInstaller;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class CaptureInstallerIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final String HOSTILE_TABLE = "Odd \"name\"; drop table public.victim; --";
    private static final String HOSTILE_COLUMN = "we'ird\"); drop table public.victim; --";

    private PostgresCaptureInstaller installer;
    private PostgresChangeSource source;

    @BeforeEach
    void createTables() {
        DB.execute("drop schema public cascade", "create schema public",
                "truncate pgobserver.change_log",
                "create table public.victim (id int primary key)",
                "create table public.orders (id bigint primary key, code text not null)",
                "create table public.no_key (code text)",
                "create table public.two_keys (a int, b int, primary key (a, b))",
                "create table public.\"" + HOSTILE_TABLE.replace("\"", "\"\"") + "\" (\""
                        + HOSTILE_COLUMN.replace("\"", "\"\"") + "\" text primary key)");
        installer = new PostgresCaptureInstaller(DB.database());
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("it", Duration.ofMillis(200)));
    }

    @AfterEach
    void stopSource() {
        source.stop();
    }

    @Test
    void installingTwiceLeavesOneTriggerAndOneEventPerChange() throws Exception {
        installer.install("public.orders", null);
        installer.install("public.orders", null);
        DB.execute("insert into public.orders values (1, 'A-1')");
        assertThat(triggerCount("orders")).isEqualTo(1);
        List<ChangeEvent> events = Streams.readAtLeast(source, 1);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).entityId()).isEqualTo("1");
        assertThat(source.read(new Batch(1, Snapshot.ORIGIN, source.snapshot()), 0, 10).events()).hasSize(1);
    }

    @Test
    void aChosenColumnIsTheEntityIdAndReinstallingSwitchesIt() throws Exception {
        installer.install("public.orders", "code");
        DB.execute("insert into public.orders values (1, 'A-1')");
        installer.install("public.orders", "id");
        DB.execute("insert into public.orders values (2, 'A-2')");
        assertThat(Streams.readAtLeast(source, 2)).extracting(ChangeEvent::entityId)
                .containsExactly("A-1", "2");
        assertThat(triggerCount("orders")).isEqualTo(1);
    }

    /**
     * Columns left out never reach the change log, in any change's before or after, while the writer's trace context
     * is still read from a traceparent column left out; installing again as given captures them again, and says so.
     */
    @Test
    void columnsLeftOutNeverReachTheChangeLogAndInstallingAgainWithoutThemSaysSo() throws Exception {
        DB.execute("create table public.users (id bigint primary key, email text, \"pass, \"\"hash\"\"\" text, "
                + "traceparent text)");
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assertThat(installer.install("public.users", null, List.of("pass, \"hash\"", "traceparent",
                "pass, \"hash\""))).as("nothing left out before").isEmpty();
        DB.execute("insert into public.users values (1, 'a@example.com', 's3cret', '" + traceparent + "')",
                "update public.users set \"pass, \"\"hash\"\"\" = 'n3w', email = 'b@example.com' where id = 1",
                "delete from public.users where id = 1");

        List<ChangeEvent> events = Streams.readAtLeast(source, 3);
        java.util.Set<String> kept = java.util.Set.of("id", "email");
        assertThat(events).extracting(e -> e.before().keySet(), e -> e.after().keySet())
                .containsExactly(tuple(java.util.Set.of(), kept), tuple(kept, kept), tuple(kept, java.util.Set.of()));
        assertThat(events.getFirst().traceContext().traceparent()).isEqualTo(traceparent);
        assertThat(count("select count(*) from pgobserver.change_log where concat(before, after) like ?",
                "%cret%")).isZero();

        assertThat(installer.install("public.users", null, List.of("traceparent")))
                .containsExactly("pass, \"hash\"");
        DB.execute("insert into public.users values (2, 'c@example.com', 'again', null)");
        assertThat(Streams.readAtLeast(source, 4).get(3).after()).containsKey("pass, \"hash\"")
                .doesNotContainKey("traceparent");
        assertThat(installer.install("public.users", null)).containsExactly("traceparent");
    }

    /** The columns each observed table's events carry, for run's check of the columns the observers name. */
    @Test
    void theColumnsOfEachObservedTableAndThoseItsCaptureLeavesOut() {
        DB.execute("create table public.users (id bigint primary key, email text, \"pass word\" text, gone text)",
                "alter table public.users drop column gone",
                "create table public.notes (id bigint primary key, body text)");
        installer.install("public.users", null, List.of("pass word"));

        Map<String, CaptureInstaller.Columns> columns = installer.columns(List.of("public.users", "public.notes",
                "public.nowhere"));
        assertThat(columns).containsOnlyKeys("public.users", "public.notes");
        assertThat(columns.get("public.users").names()).containsExactly("id", "email", "pass word");
        assertThat(columns.get("public.users").leftOut()).containsExactly("pass word");
        assertThat(columns.get("public.notes")).isEqualTo(new CaptureInstaller.Columns(List.of("id", "body"),
                List.of()));
    }

    /** A left-out column renamed is captured under its new name: status and the console say so, naming it. */
    @Test
    void aLeftOutColumnRenamedOrDroppedIsAProblemNamingIt() {
        DB.execute("create table public.users (id bigint primary key, pw text, token text, note text)",
                "create table public.parts (id bigint primary key, secret text) partition by range (id)");
        installer.install("public.users", null, List.of("token", "pw", "note"));
        installer.install("public.parts", null, List.of("secret"));
        installer.install("public.orders", null, List.of("code"));
        assertThat(installer.problems(List.of("public.users", "public.parts", "public.orders"))).isEmpty();

        DB.execute("alter table public.users rename column pw to password", "alter table public.users drop column token",
                "alter table public.parts rename column secret to secret_v2");
        List<CaptureInstaller.Problem> problems = installer.problems(List.of("public.users", "public.parts",
                "public.orders"));
        assertThat(problems).extracting(CaptureInstaller.Problem::table, p -> p.kind().label()).containsExactly(
                tuple("public.parts", "left_out_column"), tuple("public.users", "left_out_column"));
        assertThat(problems.get(1).advice()).isEqualTo("the capture of public.users leaves out column(s) 'pw', "
                + "'token', which the table no longer has (renamed or dropped?): a renamed column is captured under "
                + "its new name, and every action gets it; install again naming each column to leave out as it is "
                + "called now: 'pg-observer install --table public.users --exclude-column NAME …'");

        installer.install("public.users", null, List.of("password", "note"));
        installer.install("public.parts", null, List.of("secret_v2"));
        assertThat(installer.problems(List.of("public.users", "public.parts", "public.orders"))).isEmpty();
    }

    @Test
    void theEntityIdAndAColumnTheTableLacksCannotBeLeftOut() throws Exception {
        installer.install("public.orders", null);
        assertThatThrownBy(() -> installer.install("public.orders", null, List.of("code", "id")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("column 'id' of public.orders is the entity id: every event carries it as entity_id, so "
                        + "it cannot be left out; choose another id with --id-column, or capture it");
        assertThatThrownBy(() -> installer.install("public.orders", null, List.of("secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.orders has no column 'secret'");
        DB.execute("insert into public.orders values (1, 'A-1')");
        assertThat(Streams.readAtLeast(source, 1).getFirst().after()).as("the capture as it was")
                .containsKey("code");
    }

    @Test
    void aPartitionedTableLeavesColumnsOutOfEveryPartitionsEvents() throws Exception {
        DB.execute("create table public.measures (id bigint primary key, v text, secret text) partition by range (id)",
                "create table public.measures_low partition of public.measures for values from (0) to (100)");
        installer.install("public.measures", null, List.of("secret"));
        DB.execute("insert into public.measures values (1, 'low', 'x')");
        ChangeEvent event = Streams.readAtLeast(source, 1).getFirst();
        assertThat(event.entityType()).isEqualTo("public.measures");
        assertThat(event.after()).containsOnlyKeys("id", "v");
    }

    @Test
    void hostileNamesThatDoNotExistAreRejectedAndRunNothing() throws SQLException {
        assertThatThrownBy(() -> installer.install("public.orders; drop table public.victim; --", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no table");
        assertThatThrownBy(() -> installer.install("public.orders", "id); drop table public.victim; --"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no column");
        assertThatThrownBy(() -> installer.install("public.victim' or '1'='1", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tableExists("victim")).isTrue();
        assertThat(triggerCount("orders")).isZero();
    }

    @Test
    void hostileNamesThatDoExistAreQuotedNotExecuted() throws Exception {
        installer.install("public." + HOSTILE_TABLE, HOSTILE_COLUMN);
        installer.install("public." + HOSTILE_TABLE, null);
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement insert = connection.prepareStatement("insert into public.\""
                     + HOSTILE_TABLE.replace("\"", "\"\"") + "\" values (?)")) {
            insert.setString(1, "key-1");
            insert.executeUpdate();
        }
        ChangeEvent event = Streams.readAtLeast(source, 1).get(0);
        assertThat(event.entityType()).isEqualTo("public." + HOSTILE_TABLE);
        assertThat(event.entityId()).isEqualTo("key-1");
        assertThat(event.after()).containsEntry(HOSTILE_COLUMN, "key-1");
        assertThat(tableExists("victim")).isTrue();
        assertThat(triggerCount(HOSTILE_TABLE)).isEqualTo(1);
    }

    @Test
    void aTableWithoutASingleColumnKeyNeedsAnIdColumn() throws Exception {
        assertThatThrownBy(() -> installer.install("public.no_key", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no primary key").hasMessageContaining("--id-column");
        assertThatThrownBy(() -> installer.install("public.two_keys", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("composite primary key [a, b]");
        installer.install("public.two_keys", "b");
        DB.execute("insert into public.two_keys values (1, 2)");
        assertThat(Streams.readAtLeast(source, 1).get(0).entityId()).isEqualTo("2");
    }

    /**
     * A partitioned table's trigger runs on the partition holding the row: its events used to be named after the
     * partition (public.measures_low), which no observer of public.measures watches.
     */
    @Test
    void aPartitionedTablesRowsAreEventsOfThatTableWhicheverPartitionHoldsThem() throws Exception {
        DB.execute("create table public.measures (id bigint primary key, v text) partition by range (id)",
                "create table public.measures_low partition of public.measures for values from (0) to (100)",
                "create table public.measures_high partition of public.measures for values from (100) to (200)");
        installer.install("public.measures", null);
        installer.install("public.measures", null);
        DB.execute("insert into public.measures values (1, 'low')",
                "insert into public.measures values (150, 'high')",
                "update public.measures set v = 'changed' where id = 1",
                "create table public.measures_more partition of public.measures for values from (200) to (300)",
                "insert into public.measures values (250, 'a partition made after the install')",
                "alter table public.measures rename to gauges",
                "delete from public.gauges where id = 150");
        List<ChangeEvent> events = Streams.readAtLeast(source, 5);
        assertThat(events).extracting(ChangeEvent::entityType).containsExactly("public.measures",
                "public.measures", "public.measures", "public.measures", "public.gauges");
        assertThat(events).extracting(ChangeEvent::entityId).containsExactly("1", "150", "1", "250", "150");
        assertThatThrownBy(() -> installer.install("public.measures_low", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a partition of public.gauges, which is captured");
    }

    @Test
    void aPartitionCapturedOnItsOwnIsNamedAfterItselfAndBlocksItsParentsInstallWithAReason() throws Exception {
        DB.execute("create table public.measures (id bigint, region text, primary key (id, region)) "
                        + "partition by list (region)",
                "create table public.measures_eu partition of public.measures for values in ('eu')");
        installer.install("public.measures_eu", "id");
        DB.execute("insert into public.measures values (1, 'eu')");
        assertThat(Streams.readAtLeast(source, 1).get(0).entityType()).isEqualTo("public.measures_eu");
        assertThatThrownBy(() -> installer.install("public.measures", "id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partitions of public.measures are captured on their own: [public.measures_eu]");
    }

    /**
     * Schema changes after the install fail no write: a renamed id column used to give every later event an empty
     * entity id, and a renamed table's observers got nothing, without a word anywhere.
     */
    @Test
    void problemsNameEachObservedTableWhoseCaptureASchemaChangeBroke() {
        DB.execute("create table public.parts (id bigint primary key) partition by range (id)",
                "create table public.parts_low partition of public.parts for values from (0) to (10)",
                "create table public.renamed_key (id bigint primary key, v text)");
        installer.install("public.orders", null);
        installer.install("public.parts", null);
        installer.install("public.renamed_key", null);
        installer.install("public.two_keys", "b");
        DB.execute("alter table public.renamed_key rename column id to key",
                "alter table public.two_keys drop column b");
        List<CaptureInstaller.Problem> problems = installer.problems(List.of("public.orders", "public.parts",
                "public.no_key", "public.gone", "public.parts_low", "public.renamed_key", "public.two_keys",
                "public.orders"));
        assertThat(problems).extracting(CaptureInstaller.Problem::table, p -> p.kind().label()).containsExactly(
                tuple("public.gone", "missing"), tuple("public.no_key", "not_captured"),
                tuple("public.parts_low", "partition"), tuple("public.renamed_key", "id_column"),
                tuple("public.two_keys", "id_column"));
        List<String> advice = problems.stream().map(CaptureInstaller.Problem::advice).toList();
        assertThat(advice.get(0)).startsWith("observed table public.gone does not exist in this database");
        assertThat(advice.get(1)).startsWith("observed table public.no_key is not captured")
                .endsWith("run 'pg-observer install --table public.no_key'");
        assertThat(advice.get(2)).startsWith("observed table public.parts_low is a partition of public.parts");
        assertThat(advice.get(3)).startsWith("the capture of public.renamed_key takes the entity id from column "
                + "'id', which the table no longer has");
        assertThat(advice.get(4)).startsWith("the capture of public.two_keys takes the entity id from column 'b'");
        installer.install("public.renamed_key", null);
        assertThat(installer.problems(List.of("public.renamed_key", "public.orders", "public.parts"))).isEmpty();
    }

    /**
     * run checks the observed tables every capture_check_interval, and status and the console show the check: with a
     * real schema's hundreds of tables a query per table was hundreds of round trips each time.
     */
    @Test
    void manyObservedTablesAreCheckedInOneQuery() {
        List<String> tables = new ArrayList<>();
        List<String> ddl = new ArrayList<>(List.of("drop schema if exists \"Sales Dept\" cascade",
                "create schema \"Sales Dept\""));
        for (int i = 0; i < 40; i++) {
            String schema = i % 2 == 0 ? "public" : "Sales Dept";
            ddl.add("create table \"" + schema + "\".\"Items " + i + "\" (id int primary key)");
            tables.add(schema + ".Items " + i);
        }
        DB.execute(ddl.toArray(String[]::new));
        installer.install("public.Items 0", null);
        installer.install("Sales Dept.Items 1", null);
        tables.add("public.gone");
        AtomicInteger statements = new AtomicInteger();
        DB.database().jdbi().setSqlLogger(new SqlLogger() {
            @Override
            public void logBeforeExecution(StatementContext context) {
                statements.incrementAndGet();
            }
        });
        List<CaptureInstaller.Problem> problems;
        try {
            problems = installer.problems(tables);
        } finally {
            DB.database().jdbi().setSqlLogger(SqlLogger.NOP_SQL_LOGGER);
        }
        assertThat(statements).hasValue(1);
        assertThat(problems).hasSize(39).extracting(CaptureInstaller.Problem::table)
                .doesNotContain("public.Items 0", "Sales Dept.Items 1").contains("public.gone", "Sales Dept.Items 39");
        assertThat(problems).filteredOn(p -> p.table().equals("public.gone")).singleElement()
                .extracting(p -> p.kind().label()).isEqualTo("missing");
        assertThat(problems).filteredOn(p -> !p.table().equals("public.gone"))
                .allSatisfy(p -> assertThat(p.kind().label()).isEqualTo("not_captured"));
        // A name with a space is one word of the command the advice gives, as a shell reads it.
        assertThat(problems).filteredOn(p -> p.table().equals("Sales Dept.Items 39")).singleElement()
                .extracting(CaptureInstaller.Problem::advice).asString()
                .endsWith("run 'pg-observer install --table \"Sales Dept.Items 39\"'");
    }

    @Test
    void aNameInSqlsQuotesIsNotFoundAndTheMessageShowsItWithoutThem() throws Exception {
        DB.execute("drop schema if exists \"Sales Dept\" cascade", "create schema \"Sales Dept\"",
                "create table \"Sales Dept\".\"Order Items\" (\"Item Id\" bigint primary key)");
        assertThatThrownBy(() -> installer.install("\"Sales Dept\".\"Order Items\"", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("write names without SQL's quotes, even mixed-case ones and ones with spaces "
                        + "or dots: Sales Dept.Order Items");
        installer.install("Sales Dept.Order Items", null);
        DB.execute("insert into \"Sales Dept\".\"Order Items\" values (7)");
        ChangeEvent event = Streams.readAtLeast(source, 1).get(0);
        assertThat(event.entityType()).isEqualTo("Sales Dept.Order Items");
        assertThat(event.entityId()).isEqualTo("7");
    }

    /**
     * The trigger's DDL waits for every open transaction on the table, and the application's writes queue behind
     * it: install used to wait as long as the longest transaction ran, stopping the table's writes meanwhile. The
     * holder here ends itself after 20 s, so on the old code the install succeeds late and the test fails.
     */
    @Test
    void aTableInUseIsLeftAloneAfterABoundedWaitInsteadOfHoldingUpItsWrites() throws Exception {
        try (Connection holder = TestPostgres.connect(DB.settings())) {
            holder.createStatement().execute("set idle_in_transaction_session_timeout = '20s'");
            holder.setAutoCommit(false);
            holder.createStatement().execute("insert into public.orders values (1, 'in a long transaction')");
            assertThatThrownBy(() -> installer.install("public.orders", null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("table public.orders is in use: install waited 5 s for the transactions "
                            + "of session ")
                    .hasMessageContaining("idle in transaction since ")
                    .hasMessageEndingWith("gave up without a change; run install again when they have ended");
            assertThat(triggerCount("orders")).isZero();
            holder.rollback();
        }
        installer.install("public.orders", null);
        assertThat(triggerCount("orders")).isEqualTo(1);
    }

    @Test
    void aViewIsNamedAsAViewNotAsAMissingTable() {
        DB.execute("create view public.orders_view as select * from public.orders",
                "create materialized view public.orders_totals as select count(*) as n from public.orders");
        assertThatThrownBy(() -> installer.install("public.orders_view", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'public.orders_view' is a view, not a table");
        assertThatThrownBy(() -> installer.install("public.orders_totals", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is a materialized view, not a table");
    }

    @Test
    void anApplicationRoleWithoutPrivilegesOnTheSchemaCanStillWriteItsTable() throws Exception {
        installer.install("public.orders", null);
        DB.execute("do $$ begin if not exists (select 1 from pg_roles where rolname = 'app_writer') then "
                        + "create role app_writer; end if; end $$",
                "grant usage on schema public to app_writer",
                "grant insert, update on public.orders to app_writer");
        try (Connection connection = TestPostgres.connect(DB.settings())) {
            connection.createStatement().execute("set role app_writer");
            connection.createStatement().execute("insert into public.orders values (5, 'by the app')");
            assertThatThrownBy(() -> connection.createStatement().execute("select * from pgobserver.change_log"))
                    .hasMessageContaining("permission denied");
        }
        assertThat(Streams.readAtLeast(source, 1).get(0).entityId()).isEqualTo("5");
    }

    @Test
    void pgObserversOwnTablesAndBlankNamesAreRejected() {
        assertThatThrownBy(() -> installer.install("pgobserver.change_log", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be captured");
        assertThatThrownBy(() -> installer.install(" ", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.table");
        assertThatThrownBy(() -> installer.install("orders", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("public.orders");
    }

    private static long triggerCount(String table) throws SQLException {
        return count("select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid "
                + "where c.relname = ? and t.tgname = 'pgobserver_capture'", table);
    }

    private static boolean tableExists(String table) throws SQLException {
        return count("select count(*) from pg_class where relname = ? and relkind = 'r'", table) == 1;
    }

    private static long count(String sql, String parameter) throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
