package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.bootstrap.wiring.Services;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.Backfills;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.TraceContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code install}, {@code status}, {@code dlq list|replay} and {@code backfill}'s messages against an embedded
 * PostgreSQL, driven in-process through {@link PgObserverCommand#commandLine()}; replays deliver to a MockWebServer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminCommandsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EmbeddedPostgres postgres;
    private final MockWebServer webhooks = new MockWebServer();
    private final List<RecordedRequest> received = new CopyOnWriteArrayList<>();
    private volatile int webhookStatus = 200;
    /** Runs as each webhook request arrives, before it is answered: what happens while a replay is running. */
    private volatile java.util.function.Consumer<RecordedRequest> onRequest = request -> { };
    /** The status each webhook request is answered with; webhookStatus unless a test says otherwise. */
    private volatile java.util.function.ToIntFunction<RecordedRequest> statusOf = request -> webhookStatus;
    private Path config;
    /** Where each test's configuration is written; JUnit removes it after the test. */
    @TempDir
    private Path work;
    private int database;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        webhooks.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                received.add(request);
                onRequest.accept(request);
                return new MockResponse.Builder().code(statusOf.applyAsInt(request)).body("{}").build();
            }
        });
        webhooks.start();
    }

    @AfterAll
    void stop() throws Exception {
        webhooks.close();
        postgres.close();
    }

    /** Each test gets a database of its own in the shared server, with an orders table and a configuration. */
    @BeforeEach
    void freshDatabase() throws Exception {
        String name = "cli" + (++database);
        sql("postgres", "create database " + name);
        sql(name, "create table public.orders (id bigserial primary key, status text not null)",
                "create table public.notes (code text not null, body text)");
        config = work.resolve("pg-observer.yaml");
        Files.writeString(config, """
                database: { url: "jdbc:postgresql://localhost:%d/%s", user: postgres }
                tracing: { enabled: false }
                observers:
                  order_shipped:
                    entity: public.orders
                    actions:
                      - { type: webhook, url: "%s" }
                    retry: { max_attempts: 1 }
                """.formatted(postgres.getPort(), name, webhooks.url("/hooks/orders")));
        webhookStatus = 200;
        onRequest = request -> { };
        statusOf = request -> webhookStatus;
        received.clear();
    }

    private String databaseName() {
        return "cli" + database;
    }

    @Test
    void install_creates_the_schema_and_the_trigger() throws Exception {
        Cli.Result result = Cli.run("install", "--config", config.toString(), "--table", "public.orders");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("pgobserver_capture installed on public.orders", "primary key");
        String version = Long.toString(queryLong("select max(version::int) from pgobserver.flyway_schema_history"));
        assertThat(result.out().lines().findFirst()).as("what install did to the schema")
                .contains("schema pgobserver: created at version " + version);
        Cli.Result again = Cli.run("install", "--config", config.toString(), "--table", "public.orders");
        assertThat(again.out().lines().findFirst()).as(again.toString())
                .contains("schema pgobserver: already at version " + version);
        sql(databaseName(), "insert into public.orders (status) values ('new')");
        assertThat(queryLong("select count(*) from pgobserver.change_log where entity_type = 'public.orders' "
                + "and entity_id = '1' and kind = 'created'")).isEqualTo(1);
    }

    @Test
    void install_with_an_id_column_and_a_bare_table_name() throws Exception {
        Cli.Result result = Cli.run("install", "--config", config.toString(), "--table", "notes",
                "--id-column", "code");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("installed on public.notes", "column code",
                "no observer in this configuration watches public.notes");
        sql(databaseName(), "insert into public.notes (code, body) values ('n-7', 'hello')");
        assertThat(queryLong("select count(*) from pgobserver.change_log where entity_type = 'public.notes' "
                + "and entity_id = 'n-7'")).isEqualTo(1);
    }

    /** A column left out never reaches the change log; installing again without it captures it, with a warning. */
    @Test
    void install_leaves_columns_out_and_warns_when_installing_again_captures_them() throws Exception {
        Cli.Result result = Cli.run("install", "--config", config.toString(), "--table", "notes",
                "--id-column", "code", "--exclude-column", "body");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("installed on public.notes: entity id from column code; left out of its "
                + "events: body");
        sql(databaseName(), "insert into public.notes (code, body) values ('n-1', 'private')");
        assertThat(queryLong("select count(*) from pgobserver.change_log where entity_id = 'n-1' "
                + "and after ? 'code' and not after ? 'body'")).isEqualTo(1);

        Cli.Result idLeftOut = Cli.run("install", "--config", config.toString(), "--table", "notes",
                "--id-column", "code", "--exclude-column", "code");
        assertThat(idLeftOut.exitCode()).as(idLeftOut.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(idLeftOut.err()).contains("column 'code' of public.notes is the entity id");

        Cli.Result again = Cli.run("install", "--config", config.toString(), "--table", "notes", "--id-column",
                "code");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("warning: public.notes: body was left out of its events by the earlier "
                + "install and is captured again from now on; to keep it out, install again with --exclude-column "
                + "body");
        sql(databaseName(), "insert into public.notes (code, body) values ('n-2', 'shared')");
        assertThat(queryLong("select count(*) from pgobserver.change_log where entity_id = 'n-2' "
                + "and after ->> 'body' = 'shared'")).isEqualTo(1);
    }

    @Test
    void install_errors_name_the_table_or_column() {
        Cli.Result noTable = Cli.run("install", "--config", config.toString(), "--table", "public.nope");
        assertThat(noTable.exitCode()).as(noTable.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTable.err()).startsWith("usage error: no table 'public.nope'");
        Cli.Result noKey = Cli.run("install", "--config", config.toString(), "--table", "public.notes");
        assertThat(noKey.exitCode()).as(noKey.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noKey.err()).contains("no primary key", "--id-column");
        Cli.Result noColumn = Cli.run("install", "--config", config.toString(), "--table", "public.orders",
                "--id-column", "nope");
        assertThat(noColumn.exitCode()).as(noColumn.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noColumn.err()).contains("no column 'nope'");
    }

    /**
     * A real schema has hundreds of tables to capture: a command per table started a JVM and checked the schema each
     * time. One command installs them all, and a table it cannot install is named with what the others got.
     */
    @Test
    void install_captures_several_tables_in_one_command_and_names_the_one_it_could_not() throws Exception {
        sql(databaseName(), "create schema \"Sales Dept\"",
                "create table \"Sales Dept\".\"Order Items\" (\"Item Id\" bigint primary key)");
        Cli.Result result = Cli.run("install", "--config", config.toString(), "--table", "public.orders",
                "--table", "Sales Dept.Order Items");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out().lines().filter(l -> l.startsWith("schema pgobserver:"))).hasSize(1);
        assertThat(result.out()).contains("pgobserver_capture installed on public.orders",
                "pgobserver_capture installed on Sales Dept.Order Items",
                "no observer in this configuration watches Sales Dept.Order Items");
        sql(databaseName(), "insert into public.orders (status) values ('new')",
                "insert into \"Sales Dept\".\"Order Items\" values (7)");
        assertThat(queryLong("select count(*) from pgobserver.change_log where entity_type in "
                + "('public.orders', 'Sales Dept.Order Items')")).isEqualTo(2);

        Cli.Result oneWrong = Cli.run("install", "--config", config.toString(), "--table", "public.orders",
                "--table", "public.nope", "--table", "Sales Dept.Order Items");
        assertThat(oneWrong.exitCode()).as(oneWrong.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(oneWrong.out()).contains("installed on public.orders").doesNotContain("Order Items");
        assertThat(oneWrong.err()).startsWith("usage error: no table 'public.nope'")
                .contains("(table 2 of 3: the 1 before it are installed, 1 after it not tried; fix it, or leave it "
                        + "out, and run the command again: installing again replaces a trigger)");
    }

    /** An observed table without capture is the first cause of missing events: status names it and the fix. */
    @Test
    void status_names_an_observed_table_that_is_not_captured() throws Exception {
        // pg-observer installed, on another table than the observed one.
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.notes", "--id-column", "code")
                .exitCode()).isZero();
        Cli.Result before = Cli.run("status", "--config", config.toString());
        assertThat(before.exitCode()).as(before.toString()).isZero();
        assertThat(before.out()).contains("capture:       1 observed table(s) not captured as installed:\n"
                + "  observed table public.orders is not captured: its changes reach no observer; run"
                + " 'pg-observer install --table public.orders'\n");
        JsonNode problem = JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("capture_problems").path(0);
        assertThat(problem.path("table").asText()).isEqualTo("public.orders");
        assertThat(problem.path("problem").asText()).isEqualTo("not_captured");

        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        Cli.Result after = Cli.run("status", "--config", config.toString());
        assertThat(after.out()).as(after.toString())
                .contains("capture:       ok (1 observed table(s) captured as installed)");
        assertThat(JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("capture_problems").isEmpty()).isTrue();
    }

    /**
     * A column a condition or a template names that the table lacks fails nothing, so status says it beside the
     * capture, as run's log does.
     */
    @Test
    void status_names_a_column_an_observer_names_that_its_table_lacks() throws Exception {
        Files.writeString(config, Files.readString(config) + """
                  misspelt:
                    entity: public.orders
                    condition: after.stauts == 'shipped'
                    actions: [ { type: webhook, url: "%s", body: { id: "{{after.id}}", was: "{{before.status}}" } } ]
                """.formatted(webhooks.url("/hooks/misspelt")));
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();

        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("columns:       1 column(s) named by observers are not in their tables' "
                + "events:\n  observers.misspelt.condition names 'stauts', which public.orders has no column of "
                + "(misspelt, or renamed or dropped?): the condition is false on every row that lacks it, without an "
                + "error; its columns: id, status\n");
        JsonNode warnings = JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("column_warnings");
        assertThat(warnings.size()).isEqualTo(1);
        assertThat(warnings.path(0).asText()).startsWith("observers.misspelt.condition names 'stauts'");
    }

    @Test
    void status_reports_checkpoint_lag_dead_letters_and_listener() throws Exception {
        Cli.Result install = Cli.run("install", "--config", config.toString(), "--table", "public.orders");
        assertThat(install.exitCode()).as(install.toString()).isZero();

        Cli.Result empty = Cli.run("status", "--config", config.toString());
        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.out()).contains("consumer:      default", "checkpoint:    none yet", "lag:           0 event(s) behind",
                "dead letters:  none", "no process is listening");

        sql(databaseName(), "insert into public.orders (status) values ('new'), ('new'), ('new')");
        try (Booted booted = boot()) {
            // A consumer that has read the three rows as one batch and done the first.
            CheckpointStore store = booted.get(CheckpointStore.class);
            CheckpointStore.Fence fence = store.claim("default").fence();
            Batch batch = new Batch(1, Snapshot.ORIGIN, booted.get(ChangeSource.class).snapshot());
            long firstId = queryLong("select min(id) from pgobserver.change_log");
            store.dispatching(fence, batch, firstId + 2);
            store.save(fence, new Checkpoint(1, firstId));
            booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
            booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
            booted.get(DeadLetters.class).add(letter("gone_observer", 0, "slack"));
            assertThat(booted.get(Leadership.class).acquire(Duration.ofSeconds(10))).isTrue();

            Cli.Result human = Cli.run("status", "--config", config.toString());
            assertThat(human.exitCode()).as(human.toString()).isZero();
            assertThat(human.out()).contains("checkpoint:    events done up to change_log id " + firstId + " (batch 1 "
                    + "in progress); handed to actions up to id " + (firstId + 2) + ", not yet done",
                    "lag:           3 event(s) behind (committed after the last finished batch), the oldest committed", "dead letters:  3 (gone_observer: 1, order_shipped: 2",
                    "listener:      active");

            Cli.Result json = Cli.run("status", "--config", config.toString(), "--json");
            assertThat(json.exitCode()).as(json.toString()).isZero();
            JsonNode report = JSON.readTree(json.out());
            assertThat(report.path("consumer").asText()).isEqualTo("default");
            assertThat(report.path("checkpoint").path("batch").asLong()).isEqualTo(1);
            assertThat(report.path("checkpoint").path("after_id").asLong()).isEqualTo(firstId);
            assertThat(report.path("checkpoint").path("dispatched").path("id").asLong()).isEqualTo(firstId + 2);
            // Lag counts rows committed after the last wholly done batch: all three, until batch 1 is done.
            assertThat(report.path("lag").path("events").asLong()).isEqualTo(3);
            assertThat(report.path("lag").path("seconds").isNumber()).isTrue();
            assertThat(report.path("dead_letters").path("total").asLong()).isEqualTo(3);
            assertThat(report.path("dead_letters").path("by_observer").path("order_shipped").asLong()).isEqualTo(2);
            assertThat(report.path("active").asBoolean()).isTrue();
        }
        Cli.Result released = Cli.run("status", "--config", config.toString(), "--json");
        assertThat(JSON.readTree(released.out()).path("active").asBoolean()).as(released.toString()).isFalse();
    }

    /**
     * status and dlq list only read: on a database pg-observer was never installed in they create nothing (a
     * monitoring role has no CREATE; a newer release must not migrate under older processes), and say so with the
     * command that installs it, exit 4.
     */
    @Test
    void read_only_commands_on_a_database_without_pg_observer_create_nothing_and_say_how_to_install_it()
            throws Exception {
        for (String[] command : List.of(new String[]{"status"}, new String[]{"status", "--json"},
                new String[]{"dlq", "list"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(List.of("--config", config.toString()));
            Cli.Result result = Cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.NOT_INSTALLED);
            assertThat(result.out()).as(result.toString()).isEmpty();
            assertThat(result.err()).as(result.toString()).isEqualTo("error: pg-observer is not installed in the "
                    + "database at jdbc:postgresql://localhost:" + postgres.getPort() + "/" + databaseName() + ": it "
                    + "has no pgobserver schema. 'pg-observer install --table SCHEMA.TABLE' or 'pg-observer run' "
                    + "creates it (with a role that has CREATE on the database); this command only reads, and creates "
                    + "nothing\n");
        }
        assertThat(queryLong("select count(*) from pg_namespace where nspname = 'pgobserver'")).as("schemas")
                .isZero();
    }

    /**
     * A schema older than this release (a migration of this release not applied) stops them, naming both versions
     * and the command that migrates, and is left as it was; a newer one (a newer release migrated it) is read, with
     * a warning.
     */
    @Test
    void read_only_commands_read_a_newer_schema_and_leave_an_older_one_unmigrated() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        String latest = Long.toString(queryLong("select max(version::int) from pgobserver.flyway_schema_history"));
        sql(databaseName(), "insert into pgobserver.flyway_schema_history (installed_rank, version, description, "
                + "type, script, checksum, installed_by, execution_time, success) values (999, '999', 'from a newer "
                + "release', 'SQL', 'V999__newer.sql', 0, 'postgres', 0, true)");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(logs);
        try {
            Cli.Result newer = Cli.run("status", "--config", config.toString());
            assertThat(newer.exitCode()).as(newer.toString()).isZero();
            assertThat(newer.out()).contains("consumer:      default");
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(line -> assertThat(line)
                .contains("schema at jdbc:postgresql://localhost:" + postgres.getPort() + "/" + databaseName()
                        + " is at version 999, newer than this pg-observer's " + latest
                        + ": a newer release migrated it"));
        // A command that migrates, as after a downgrade: it runs on the newer schema, and says so.
        Cli.Result install = Cli.run("install", "--config", config.toString(), "--table", "public.orders");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).contains("schema pgobserver: at version 999, newer than this release's " + latest
                + ": a newer release migrated it, and this one runs on it as it is");

        sql(databaseName(), "delete from pgobserver.flyway_schema_history where version in ('999', '" + latest + "')");
        Cli.Result older = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(older.exitCode()).as(older.toString()).isEqualTo(ExitCodes.NOT_INSTALLED);
        assertThat(older.err()).as(older.toString()).contains("schema at jdbc:postgresql://localhost:"
                + postgres.getPort() + "/" + databaseName() + " is at version " + (Long.parseLong(latest) - 1)
                + ", older than this pg-observer's " + latest + " (not applied: V" + latest + ")", "this command only "
                + "reads: it does not migrate. 'pg-observer run' or 'pg-observer install' of this release migrates it");
        assertThat(queryLong("select count(*) from pgobserver.flyway_schema_history where version = '" + latest
                + "'")).as("migration " + latest + " not run again").isZero();
    }

    /** A role that may only read (USAGE on the schema, SELECT on its tables and sequences) runs status and dlq list. */
    @Test
    void a_role_that_may_only_read_runs_status_and_dlq_list() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        String reader = "reader_" + databaseName();
        sql(databaseName(), "create role " + reader + " login",
                "grant usage on schema pgobserver to " + reader,
                "grant select on all tables in schema pgobserver to " + reader,
                "grant select on all sequences in schema pgobserver to " + reader);
        Files.writeString(config, Files.readString(config).replace("user: postgres", "user: " + reader));
        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("consumer:      default", "checkpoint:    none yet",
                "capture:       ok (1 observed table(s) captured as installed)");
        Cli.Result list = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).isEqualTo("no dead letters\n");
    }

    @Test
    void a_reading_role_given_default_privileges_reads_tables_created_after_its_grants() throws Exception {
        // What the guide recommends so that a release adding a table needs no new grants: the reading role's grants
        // are made before the tables exist (as a later release's would be), and install then creates every table.
        String reader = "late_reader_" + databaseName();
        sql(databaseName(), "create role " + reader + " login",
                "create schema pgobserver",
                "grant usage on schema pgobserver to " + reader,
                "alter default privileges in schema pgobserver grant select on tables to " + reader,
                "alter default privileges in schema pgobserver grant select on sequences to " + reader);
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        Files.writeString(config, Files.readString(config).replace("user: postgres", "user: " + reader));
        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("capture:       ok (1 observed table(s) captured as installed)");
        Cli.Result list = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).isEqualTo("no dead letters\n");
    }

    @Test
    void dlq_list_shows_the_letters() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        Cli.Result none = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(none.exitCode()).as(none.toString()).isZero();
        assertThat(none.out()).contains("no dead letters");

        DeadLetter first = letter("order_shipped", 0, "webhook");
        long firstId;
        long secondId;
        try (Booted booted = boot()) {
            firstId = booted.get(DeadLetters.class).add(first);
            secondId = booted.get(DeadLetters.class).add(letter("order_shipped", -1, "condition"));
        }
        Cli.Result list = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out().lines().toList()).hasSize(3);
        assertThat(list.out()).contains("ID", "OBSERVER", "ERROR", Long.toString(firstId), "order_shipped",
                "webhook#0", first.event().id(), "public.orders/42 updated", "HTTP 500 from receiver", "condition");

        // A long queue is read page by page, through the packaged jar as a user runs it: each page names the next.
        Cli.Result limited = PackagedJar.run("dlq", "list", "--config", config.toString(), "--limit", "1");
        assertThat(limited.exitCode()).as(limited.toString()).isZero();
        assertThat(limited.out().lines().toList()).hasSize(3).last().isEqualTo("(1 of 2 shown; the next page: dlq "
                + "list --after " + firstId + " --limit 1)");
        Cli.Result next = Cli.run("dlq", "list", "--config", config.toString(), "--after", Long.toString(firstId));
        assertThat(next.out().lines().toList()).as(next.toString()).hasSize(2).last().asString()
                .startsWith("%-6d order_shipped".formatted(secondId)).contains("condition");
        Cli.Result past = Cli.run("dlq", "list", "--config", config.toString(), "--after", Long.toString(secondId));
        assertThat(past.out()).isEqualTo("no dead letters after id " + secondId + " (2 in all: leave out --after to "
                + "see them from the oldest)\n");
        Cli.Result tooMany = PackagedJar.run("dlq", "list", "--config", config.toString(), "--limit", "10001");
        assertThat(tooMany.exitCode()).as(tooMany.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(tooMany.err()).startsWith("usage error: --limit must be 1 to 10000, was 10001; a longer queue is "
                + "read page by page: --after ID shows the letters after ID");

        Cli.Result json = Cli.run("dlq", "list", "--config", config.toString(), "--json");
        JsonNode letters = JSON.readTree(json.out());
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).path("id").asLong()).isEqualTo(firstId);
        assertThat(letters.get(0).path("event_id").asText()).isEqualTo(first.event().id());
        assertThat(letters.get(0).path("attempts").asInt()).isEqualTo(5);
        assertThat(letters.get(0).path("error").asText()).isEqualTo("HTTP 500 from receiver");
        assertThat(json.err()).as("the last page names no next one").isEmpty();

        // A script pages through the array: standard output stays the array alone, and standard error names the
        // next page while there is one, as the packaged jar prints it.
        Cli.Result page = PackagedJar.run("dlq", "list", "--config", config.toString(), "--json", "--limit", "1");
        assertThat(page.exitCode()).as(page.toString()).isZero();
        assertThat(JSON.readTree(page.out())).as(page.toString()).singleElement()
                .satisfies(letter -> assertThat(letter.path("id").asLong()).isEqualTo(firstId));
        assertThat(page.err().lines().toList()).as(page.toString()).containsExactly("(1 of 2 shown; the next page: "
                + "dlq list --after " + firstId + " --limit 1 --json)");
        // With JSON logs, that hint is a JSON line as well: a log shipper reading standard error parses every line.
        Cli.Result shipped = PackagedJar.run(Map.of("PGOBSERVER_LOG_FORMAT", "json"), "dlq", "list", "--config",
                config.toString(), "--json", "--limit", "1");
        assertThat(shipped.exitCode()).as(shipped.toString()).isZero();
        assertThat(JSON.readTree(shipped.out())).as(shipped.toString()).hasSize(1);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : shipped.err().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).as(shipped.toString()).singleElement().satisfies(line -> assertThat(line.path("message")
                .asText()).isEqualTo("(1 of 2 shown; the next page: dlq list --after " + firstId + " --limit 1 --json)"));
    }

    @Test
    void dlq_replay_delivers_and_removes_the_letter() throws Exception {
        long id;
        DeadLetter letter = letter("order_shipped", 0, "webhook");
        try (Booted booted = boot()) {
            id = booted.get(DeadLetters.class).add(letter);
        }
        Cli.Result replay = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(id));
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("letter " + id + ": delivered", "1 delivered, 0 not delivered");
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().getUrl().encodedPath()).isEqualTo("/hooks/orders");
        assertThat(received.getFirst().getBody().utf8()).contains(letter.event().id());
        assertThat(Cli.run("dlq", "list", "--config", config.toString()).out()).contains("no dead letters");
    }

    /**
     * A condition's letter runs every action of its observer: a replay that delivered the first and failed in the
     * second left the letter queued, and the next replay sent the first again. Each delivered action is recorded, so
     * the second replay sends only the second one. Two in-process replays: about 1 s.
     */
    @Test
    void dlq_replay_of_a_letter_of_several_actions_does_not_send_again_what_an_earlier_replay_delivered()
            throws Exception {
        Files.writeString(config, Files.readString(config).replace("""
                      - { type: webhook, url: "%s" }
                """.formatted(webhooks.url("/hooks/orders")), """
                      - { type: webhook, url: "%s" }
                      - { type: webhook, url: "%s" }
                """.formatted(webhooks.url("/hooks/first"), webhooks.url("/hooks/second"))));
        long id;
        try (Booted booted = boot()) {
            id = booted.get(DeadLetters.class).add(letter("order_shipped", -1, "condition"));
        }
        statusOf = request -> request.getUrl().encodedPath().endsWith("/second") ? 500 : 200;
        Cli.Result failing = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(id));
        assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(failing.out()).contains("letter " + id + ": action #1 (webhook) still failing after 1 attempt(s)",
                "(before it: action #0 (webhook) delivered, the next replay skips it)");

        statusOf = request -> 200;
        Cli.Result delivered = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(delivered.exitCode()).as(delivered.toString()).isZero();
        assertThat(delivered.out()).contains("letter " + id + ": delivered (action #0 (webhook) already settled in "
                + "the delivery log (delivered by the pipeline or an earlier replay, or a dead letter of its own), not "
                + "sent again; action #1 (webhook) delivered, the next replay skips it)");
        assertThat(received).extracting(request -> request.getUrl().encodedPath())
                .containsExactly("/hooks/first", "/hooks/second", "/hooks/second");
        assertThat(Cli.run("dlq", "list", "--config", config.toString()).out()).contains("no dead letters");
    }

    /**
     * Two replays of one letter at once (the console and the command line, two terminals, an --all meanwhile) each
     * ran its action: the receiver got it twice. Here the receiver holds the first replay's request while two more
     * run: neither runs the letter, each says who is running it, --all counts it apart and runs the rest; the letter
     * leaves the queue with the first replay's delivery. One run of the packaged jar, two in-process: about 6 s.
     */
    @Test
    void a_letter_being_replayed_is_not_run_again_by_a_replay_meanwhile() throws Exception {
        // The first replay's request waits for the others: a minute is more than they take.
        Files.writeString(config, Files.readString(config).replace("{ type: webhook, url:",
                "{ type: webhook, timeout: 1m, url:") + "actions: { read_timeout: 1m }\n");
        long id;
        long other;
        try (Booted booted = boot()) {
            id = booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
            other = booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
        }
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        List<Cli.Result> meanwhile = new CopyOnWriteArrayList<>();
        onRequest = request -> {
            if (held.compareAndSet(false, true)) {
                meanwhile.add(Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(id)));
                meanwhile.add(Cli.run("dlq", "replay", "--config", config.toString(), "--all"));
            }
        };
        // The packaged jar, as another operator runs it: the replays in this JVM run while it waits for its answer.
        Cli.Result first = PackagedJar.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(id));

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("letter " + id + ": delivered");
        assertThat(received).as("one request for each letter").hasSize(2);
        String busy = "letter " + id + ": being replayed by another session (pg-observer process ";
        String notRun = "; not run again here: it stays in the queue until that replay ends, delivered or not";
        Cli.Result one = meanwhile.get(0);
        assertThat(one.exitCode()).as(one.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(one.out().lines().toList()).as(one.toString()).hasSize(2);
        assertThat(one.out().lines().findFirst().orElseThrow()).startsWith(busy).endsWith(notRun)
                .matches(".*process \\d+@\\S+, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\).*")
                .doesNotContain("process " + ProcessHandle.current().pid() + "@");
        assertThat(one.out()).contains("replayed 1: 0 delivered, 0 not delivered, 1 being replayed by another "
                + "session (not run here)");
        assertThat(one.err().lines().toList()).singleElement().asString()
                .startsWith("error: letter " + id + " was not run: being replayed by another session");
        Cli.Result all = meanwhile.get(1);
        assertThat(all.exitCode()).as(all.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(all.out().lines().toList()).as(all.toString()).hasSize(3);
        assertThat(all.out()).contains(busy, "letter " + other + ": delivered", "replayed 2: 1 delivered, 0 not "
                + "delivered, 1 being replayed by another session (not run here)");
        assertThat(queryLong("select count(*) from pgobserver.dead_letters")).as("both delivered").isZero();
    }

    @Test
    void dlq_replay_of_letters_that_stay_queued_exits_3_naming_them_and_why_and_of_no_letter_exits_1() throws Exception {
        long failing;
        long unknownObserver;
        try (Booted booted = boot()) {
            failing = booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
            unknownObserver = booted.get(DeadLetters.class).add(letter("gone_observer", 0, "webhook"));
        }
        webhookStatus = 500;
        Cli.Result one = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(failing));
        assertThat(one.exitCode()).as(one.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(one.err().lines().toList()).singleElement().asString()
                .startsWith("error: letter " + failing + " was not delivered: still failing after 1 attempt(s)")
                .contains("500");

        Cli.Result all = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(all.exitCode()).as(all.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(all.out()).contains("observer 'gone_observer' is no longer configured", "0 delivered, 2 not delivered");
        assertThat(all.err()).contains("2 letters were not delivered (ids " + failing + ", " + unknownObserver);

        Cli.Result missing = Cli.run("dlq", "replay", "--config", config.toString(), "--id", "999999");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(missing.out()).as("no replay report of a letter that is not there").isEmpty();
        assertThat(missing.err()).isEqualTo("error: consumer 'default' has no dead letter with id 999999 (see 'dlq "
                + "list')" + System.lineSeparator());

        webhookStatus = 200;
        Cli.Result retried = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(failing));
        assertThat(retried.exitCode()).as(retried.toString()).isZero();
        assertThat(Cli.run("dlq", "list", "--config", config.toString(), "--json").out())
                .doesNotContain("\"id\":" + failing + ",").contains("\"id\":" + unknownObserver + ",");
    }

    /** A letter whose observer was removed can never be delivered: the replay says how to remove it, and it can. */
    @Test
    void dlq_delete_removes_a_letter_no_replay_can_deliver() throws Exception {
        long gone;
        try (Booted booted = boot()) {
            gone = booted.get(DeadLetters.class).add(letter("gone_observer", 0, "webhook"));
        }
        Cli.Result replay = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(gone));
        assertThat(replay.exitCode()).as(replay.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(replay.out()).contains("put the observer back to replay it, or remove the letter with `dlq delete"
                + " --id " + gone + "`");

        Cli.Result deleted = Cli.run("dlq", "delete", "--config", config.toString(), "--id", Long.toString(gone));
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).startsWith("letter " + gone + " deleted: observer gone_observer, webhook#0, event ");
        assertThat(Cli.run("dlq", "list", "--config", config.toString()).out()).contains("no dead letters");
        assertThat(received).as("deleting runs no action").isEmpty();

        Cli.Result again = Cli.run("dlq", "delete", "--config", config.toString(), "--id", Long.toString(gone));
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(again.err()).contains("has no dead letter with id " + gone + " (see 'dlq list')");
    }

    /** A queue of thousands of letters that cannot be delivered gave an error line naming every id. */
    @Test
    void replay_all_names_twenty_ids_and_counts_the_rest() throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Booted booted = boot()) {
            for (int i = 0; i < 25; i++) {
                ids.add(booted.get(DeadLetters.class).add(letter("gone_observer", 0, "webhook")));
            }
        }
        Cli.Result all = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(all.exitCode()).as(all.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
        assertThat(all.err().strip()).isEqualTo("error: 25 letters were not delivered (ids " + ids.stream().limit(20)
                .map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                + " and 5 more; reasons above); they stay in the queue");
    }

    /**
     * A queue of more than two pages (ReplayDeadLetters.PAGE is 100) is replayed a page at a time: every letter once,
     * in id order, a removed observer's reported per letter. The replay read every letter before it ran the first,
     * and so held the whole queue; a page is now read when the replay reaches it, so a letter another replay removes
     * once this one began is not tried (it was, and was reported missing), and one added since is left for the next
     * replay, as the last line says. Most letters are a removed observer's, which run no request: a few seconds.
     */
    @Test
    void replay_all_runs_a_queue_longer_than_a_page_one_page_at_a_time() throws Exception {
        List<Long> ids = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<String> events = new ArrayList<>();
        List<Long> notDelivered = new ArrayList<>();
        try (Booted booted = boot()) {
            DeadLetters queue = booted.get(DeadLetters.class);
            for (int i = 0; i < 250; i++) {
                boolean delivered = i % 10 == 0;
                DeadLetter letter = letter(delivered ? "order_shipped" : "gone_observer", 0, "webhook");
                long id = queue.add(letter);
                ids.add(id);
                expected.add(id + (delivered ? " delivered" : " gone"));
                if (delivered) {
                    events.add(letter.event().id());
                } else {
                    notDelivered.add(id);
                }
            }
            long removed = ids.removeLast();
            expected.removeLast();
            notDelivered.removeLast();
            long[] added = new long[1];
            onRequest = request -> {
                if (added[0] == 0) {
                    queue.remove(removed);
                    added[0] = queue.add(letter("order_shipped", 0, "webhook"));
                }
            };
            Cli.Result all = Cli.run("dlq", "replay", "--config", config.toString(), "--all");

            assertThat(all.exitCode()).as(all.toString()).isEqualTo(ExitCodes.DEAD_LETTERED);
            List<String> lines = all.out().lines().toList();
            // Each line as "ID delivered" or "ID gone", the latter naming its own id in the 'dlq delete' it suggests.
            assertThat(lines.subList(0, lines.size() - 1).stream().map(line -> line
                    .replaceFirst("^letter (\\d+): delivered$", "$1 delivered")
                    .replaceFirst("^letter (\\d+): observer 'gone_observer' is no longer configured.*--id \\1`$",
                            "$1 gone")).toList()).as(all.toString())
                    .containsExactlyElementsOf(expected);
            assertThat(lines.getLast()).isEqualTo("replayed 249: 25 delivered, 224 not delivered; letters added "
                    + "since it began (ids after " + removed + ") are left for the next replay: pg-observer dlq "
                    + "replay --all --config " + config);
            assertThat(all.err().strip()).isEqualTo("error: 224 letters were not delivered (ids " + notDelivered
                    .stream().limit(20).map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                    + " and 204 more; reasons above); they stay in the queue");
            assertThat(received.stream().map(r -> events.stream().filter(r.getBody().utf8()::contains).findFirst()
                    .orElse("another event")).toList()).as("the events the requests were for").isEqualTo(events);
            assertThat(queue.countByObserver("default")).isEqualTo(Map.of("gone_observer", 224L, "order_shipped", 1L));
            assertThat(queue.find("default", added[0])).as("the letter added during the replay").isPresent();
        }
    }

    @Test
    void replay_all_of_an_empty_queue_is_fine() {
        Cli.Result result = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("no dead letters to replay");
    }

    /**
     * A --where that escapes its parentheses is a usage error; one that fails on a row says how to go on (a backfill
     * keeps its condition); --cancel and --resume name the table with its schema, as it was given without.
     */
    @Test
    void backfill_refusals_and_messages() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) select 'new' from generate_series(1, 30)");
        Cli.Result escaping = Cli.run("backfill", "--config", config.toString(), "--table", "orders", "--where",
                "1=1) or (1=1");
        assertThat(escaping.exitCode()).as(escaping.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(escaping.err()).startsWith("usage error: --where '1=1) or (1=1' cannot be used on public.orders: "
                + "it has a ')' that closes a parenthesis the condition did not open");
        Cli.Result failing = Cli.run("backfill", "--config", config.toString(), "--table", "orders", "--where",
                "100 / (id - 15) > -1000", "--chunk", "10");
        assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(failing.err()).contains("division by zero", "then 'backfill --resume'",
                "cancel it with 'backfill --cancel' and start a new backfill with the corrected --where");

        Cli.Result noTable = Cli.run("backfill", "--config", config.toString(), "--table", "public.nope");
        assertThat(noTable.exitCode()).as(noTable.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(noTable.out()).as("no note about the observers of a table that is not there").isEmpty();
        assertThat(noTable.err()).isEqualTo("usage error: no table 'public.nope': name an existing table as "
                + "schema.table, spelled as in the catalog (unquoted names are lower case), e.g. public.orders"
                + System.lineSeparator() + "(see: pg-observer backfill --help)" + System.lineSeparator());

        Cli.Result cancel = Cli.run("backfill", "--config", config.toString(), "--cancel", "--table", "orders");
        assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).containsPattern("backfill \\d+ of public\\.orders cancelled after 10 row\\(s\\)");
        assertThat(Cli.run("backfill", "--config", config.toString(), "--cancel", "--table", "orders").out())
                .contains("no unfinished backfill of public.orders to cancel");
        assertThat(Cli.run("backfill", "--config", config.toString(), "--resume", "--table", "orders").out())
                .contains("no unfinished backfill of public.orders to resume");
    }

    /**
     * A backfill that a failing chunk stopped shows in status as stopped, with the database's message and the two
     * ways on, not as running; a resume that fails again stops it again; after the row is fixed a resume finishes it.
     */
    @Test
    void a_backfill_stopped_by_a_failing_chunk_shows_as_stopped_until_resumed() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) select 'new' from generate_series(1, 30)",
                "update public.orders set status = '' where id = 15");
        Cli.Result failing = Cli.run("backfill", "--config", config.toString(), "--table", "orders", "--where",
                "100 / length(status) > 0", "--chunk", "10");
        assertThat(failing.exitCode()).as(failing.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(failing.err()).contains("division by zero");

        String stopped = "backfill \\d+ of public\\.orders stopped: 10 (of ~\\d+ )?rows, last key 10\\n"
                + "    since \\S+Z \\(\\d+(m \\d+)?s ago\\): its chunk fails: ERROR: division by zero\\n";
        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).containsPattern(stopped)
                .contains("fix what it fails on, then 'pg-observer backfill --config " + config + " --resume --table "
                        + "public.orders'; or 'pg-observer backfill --config " + config + " --cancel --table "
                        + "public.orders' and start a new backfill")
                .doesNotContainPattern("of public\\.orders running");
        JsonNode backfill = JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("backfills").get(0);
        assertThat(backfill.path("state").asText()).isEqualTo("stopped");
        assertThat(backfill.path("rows_done").asLong()).isEqualTo(10);
        assertThat(backfill.path("last_key").toString()).isEqualTo("[\"10\"]");
        assertThat(backfill.path("error").asText()).isEqualTo("its chunk fails: ERROR: division by zero");
        assertThat(Instant.parse(backfill.path("stopped_at").asText())).isBetween(Instant.now().minusSeconds(60),
                Instant.now());

        Cli.Result unfixed = Cli.run("backfill", "--config", config.toString(), "--resume", "--table", "orders");
        assertThat(unfixed.exitCode()).as(unfixed.toString()).isEqualTo(ExitCodes.FAILURE);
        assertThat(Cli.run("status", "--config", config.toString()).out()).as("stopped again")
                .containsPattern(stopped);

        sql(databaseName(), "update public.orders set status = 'new' where id = 15");
        Cli.Result resume = Cli.run("backfill", "--config", config.toString(), "--resume", "--table", "orders");
        assertThat(resume.exitCode()).as(resume.toString()).isZero();
        assertThat(resume.out())
                .containsPattern("resuming backfill \\d+ of public\\.orders .*10 row\\(s\\) already done")
                .containsPattern("backfill \\d+ of public\\.orders finished: 30 row\\(s\\) logged as read events");
        Cli.Result after = Cli.run("status", "--config", config.toString());
        assertThat(after.out()).as(after.toString())
                .containsPattern("backfill \\d+ of public\\.orders finished: 30 rows")
                .doesNotContain("stopped", "division by zero", "--resume");
        JsonNode finished = JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("backfills").get(0);
        assertThat(finished.path("state").asText()).isEqualTo("finished");
        assertThat(finished.path("error").isNull()).as(finished.toString()).isTrue();
        assertThat(finished.path("stopped_at").isNull()).as(finished.toString()).isTrue();
    }

    /**
     * A backfill whose process was killed shows in status as interrupted, with the way on, not as running for ever;
     * one that a live process attends shows as running; a resume picks the interrupted one up and finishes it.
     */
    @Test
    void a_backfill_whose_process_is_gone_shows_as_interrupted_until_resumed() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) select 'new' from generate_series(1, 30)",
                // What a kill -9 leaves: its progress after the first chunk, and no process.
                "insert into pgobserver.backfills (table_name, chunk, last_key, rows_done, updated_at) "
                        + "values ('public.orders', 10, '{10}', 10, now() - interval '5 minutes')");

        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).containsPattern("backfill \\d+ of public\\.orders interrupted: 10 (of ~\\d+ )?rows, "
                        + "last key 10\\n"
                        + "    no process runs it \\(its process was killed, crashed or lost its database session\\); "
                        + "last chunk \\S+Z \\(5m \\d+s ago\\)\\n"
                        + "    'pg-observer backfill --config \\S+ --resume --table public\\.orders' goes on after that "
                        + "chunk; or 'pg-observer backfill --config \\S+ --cancel --table public\\.orders'\\n")
                .doesNotContainPattern("of public\\.orders running");
        JsonNode backfill = JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("backfills").get(0);
        assertThat(backfill.path("state").asText()).isEqualTo("interrupted");
        assertThat(backfill.path("seconds_left").isNull()).as(backfill.toString()).isTrue();

        try (Booted booted = boot();
             Backfills.Attendance live = booted.get(Backfills.class).attend("public.orders")) {
            Cli.Result attended = Cli.run("status", "--config", config.toString());
            assertThat(attended.out()).as(attended.toString())
                    .containsPattern("backfill \\d+ of public\\.orders running: 10 ").doesNotContain("no process runs it");
        }

        Cli.Result resume = Cli.run("backfill", "--config", config.toString(), "--resume", "--table", "orders");
        assertThat(resume.exitCode()).as(resume.toString()).isZero();
        assertThat(resume.out())
                .containsPattern("resuming interrupted backfill \\d+ of public\\.orders .*10 row\\(s\\) already done")
                .containsPattern("backfill \\d+ of public\\.orders finished: 30 row\\(s\\) logged as read events");
        assertThat(JSON.readTree(Cli.run("status", "--config", config.toString(), "--json").out())
                .path("backfills").get(0).path("state").asText()).isEqualTo("finished");
    }

    /**
     * A --to in the future replays up to the moment the replay starts, and says so: the summary names that end, and
     * an event recorded after it (the writer went on) is not replayed.
     */
    @Test
    void replay_with_a_future_end_stops_at_now_and_says_so() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) values ('a'), ('b'), ('c'), ('later')",
                "update pgobserver.change_log set occurred_at = now() + interval '10 minutes' "
                        + "where after->>'status' = 'later'");
        String from = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
        String to = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        Cli.Result replay = Cli.run("replay", "--config", config.toString(), "--observer", "order_shipped",
                "--from", from, "--to", to);

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        List<String> lines = replay.out().lines().toList();
        assertThat(lines).as(replay.toString()).hasSize(2);
        Matcher note = Pattern.compile(Pattern.quote("note: --to " + to + " is in the future; replaying up to now, ")
                + "(\\S+)" + Pattern.quote(", the moment the replay started (events written after it are not "
                + "replayed: a later replay can start there)")).matcher(lines.get(0));
        assertThat(note.matches()).as(replay.toString()).isTrue();
        Instant now = Instant.parse(note.group(1));
        assertThat(now).isBetween(before, Instant.now());
        assertThat(lines.get(1)).isEqualTo("replayed 3 event(s) for observer order_shipped (" + Instant.parse(from)
                + " to " + now + ", when the replay started; 3 event(s) of its table in the stretch): "
                + "3 delivered, 0 not matching the condition, 0 failed");
        assertThat(received).hasSize(3).allMatch(r -> "true".equals(r.getHeaders().get("webhook-replay")))
                .noneMatch(r -> r.getBody().utf8().contains("later"));
    }

    /**
     * A --to-position past the newest change_log id replays up to that id and says so, as a --to in the future does;
     * a --from-position past it is refused.
     */
    @Test
    void replay_with_a_to_position_past_the_newest_row_stops_at_it_and_says_so() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) values ('a'), ('b'), ('c')");
        long first = queryLong("select min(id) from pgobserver.change_log");
        long newest = queryLong("select max(id) from pgobserver.change_log");

        Cli.Result replay = Cli.run("replay", "--config", config.toString(), "--observer", "order_shipped",
                "--from-position", Long.toString(first), "--to-position", Long.toString(newest + 1000));

        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out().lines().toList()).containsExactly("note: --to-position " + (newest + 1000)
                + " is past the newest change_log id; replaying up to the newest, " + newest + ", when the replay "
                + "started (events written after it are not replayed: a later replay can start there)",
                "replayed 3 event(s) for observer order_shipped (change_log ids " + first + " to " + newest
                        + ", the newest when the replay started; 3 event(s) of its table in the stretch): "
                        + "3 delivered, 0 not matching the condition, 0 failed");
        assertThat(received).hasSize(3);

        Cli.Result past = Cli.run("replay", "--config", config.toString(), "--observer", "order_shipped",
                "--from-position", Long.toString(newest + 1), "--to-position", Long.toString(newest + 1000));
        assertThat(past.exitCode()).as(past.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(past.err()).startsWith("usage error: --from-position " + (newest + 1) + " is past the newest "
                + "change_log id (it is " + newest + "): nothing is recorded there yet; give a stretch that has begun");

        // An observer name misspelt is the one thing said: no note on a stretch that will not run.
        Cli.Result unknown = Cli.run("replay", "--config", config.toString(), "--observer", "order_shiped",
                "--from-position", Long.toString(first), "--to-position", Long.toString(newest + 1000));
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.out()).as(unknown.toString()).isEmpty();
        assertThat(unknown.err()).startsWith("usage error: no observer named 'order_shiped' in this configuration "
                + "(observers: order_shipped)");
    }

    /**
     * The replay's present is the database's clock, not this host's: with the database's now() a day behind (a host
     * clock a day ahead, as seen from the data), a --from an hour ago is in the future and refused, and a --to an
     * hour ago is clamped to the database's now.
     */
    @Test
    void replay_takes_now_from_the_database_not_from_the_host() throws Exception {
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        // pg_catalog placed after a schema of the test's lets that schema's now() stand for the server's clock.
        sql(databaseName(), "create schema skew", "create function skew.now() returns timestamptz language sql "
                        + "as 'select pg_catalog.now() - interval ''1 day'''",
                "alter database " + databaseName() + " set search_path = skew, pg_catalog, \"$user\", public");
        Instant hostNow = Instant.now();
        String hourAgo = hostNow.minusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();

        Cli.Result future = Cli.run("replay", "--config", config.toString(), "--observer", "order_shipped",
                "--from", hourAgo, "--to", hostNow.truncatedTo(ChronoUnit.SECONDS).toString());
        assertThat(future.exitCode()).as(future.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(future.err()).startsWith("usage error: --from " + hourAgo + " is in the future (it is now ");

        String twoDaysAgo = hostNow.minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS).toString();
        Cli.Result clamped = Cli.run("replay", "--config", config.toString(), "--observer", "order_shipped",
                "--from", twoDaysAgo, "--to", hourAgo);
        assertThat(clamped.exitCode()).as(clamped.toString()).isZero();
        Matcher note = Pattern.compile(Pattern.quote("note: --to " + hourAgo + " is in the future; replaying up to "
                + "now, ") + "(\\S+), the moment the replay started.*").matcher(clamped.out().lines().findFirst()
                .orElse(""));
        assertThat(note.matches()).as(clamped.toString()).isTrue();
        assertThat(Instant.parse(note.group(1))).as("the database's clock, a day behind this host's")
                .isBetween(hostNow.minus(Duration.ofDays(1)).minusSeconds(600), Instant.now().minus(Duration.ofDays(1)));
    }

    /**
     * status, dlq list, install and backfill --cancel run no action, so an action's unset secret does not stop
     * them; nor does dlq replay of an empty queue, which runs none. A secret that is set is printed by none of them.
     */
    @Test
    void commands_that_run_no_action_do_without_an_unset_action_secret() throws Exception {
        addSlackBot();
        Cli.Result install = Cli.run("install", "--config", config.toString(), "--table", "public.orders");
        assertThat(install.exitCode()).as(install.toString()).isZero();
        assertThat(install.out()).doesNotContain("no observer in this configuration watches");
        Cli.Result status = Cli.run("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("consumer:      default", "dead letters:  none");
        assertThat(status.err()).isEmpty();
        Cli.Result list = Cli.run("dlq", "list", "--config", config.toString());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).isEqualTo("no dead letters\n");
        Cli.Result cancel = Cli.run("backfill", "--config", config.toString(), "--cancel", "--table", "orders");
        assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).isEqualTo("no unfinished backfill of public.orders to cancel\n");

        Cli.Result replay = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).isEqualTo("no dead letters to replay\n");

        Map<String, String> secret = Map.of("SLACK_TOKEN", "xoxb-s3cret-4711");
        for (String[] command : List.of(new String[]{"status"}, new String[]{"status", "--json"},
                new String[]{"dlq", "list", "--json"}, new String[]{"install", "--table", "public.orders"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--config", config.toString(), "--verbose"));
            Cli.Result result = Cli.run(secret, args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out() + result.err()).as(result.toString()).doesNotContain("s3cret");
        }
    }

    /**
     * backfill needs no action's secret (run delivers its events), and replay only those of its observer: without
     * SLACK_TOKEN a backfill finishes and a replay of the webhook observer delivers, while a replay of the Slack
     * observer stops naming the variable.
     */
    @Test
    void backfill_needs_no_action_secret_and_replay_only_its_observers() throws Exception {
        addSlackBot();
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) values ('a'), ('b')");

        Cli.Result backfill = Cli.run("backfill", "--config", config.toString(), "--table", "orders");
        assertThat(backfill.exitCode()).as(backfill.toString()).isZero();
        assertThat(backfill.out()).containsPattern("backfill \\d+ of public\\.orders finished: 2 row\\(s\\)");
        Cli.Result resume = Cli.run("backfill", "--config", config.toString(), "--resume");
        assertThat(resume.exitCode()).as(resume.toString()).isZero();

        String first = Long.toString(queryLong("select min(id) from pgobserver.change_log"));
        String last = Long.toString(queryLong("select max(id) from pgobserver.change_log"));
        assertReplays("order_shipped", first, last, 4);
        assertThat(received).hasSize(4);
        assertStops(replay("slack_bot", first, last), SLACK_TOKEN, "SLACK_TOKEN");
    }

    /**
     * Commands that run no action need no secret of a section only actions read (the SMTP password), and start
     * nothing only actions use: a Kafka producer would reach for brokers that an operator's host may not resolve.
     */
    @Test
    void status_needs_no_smtp_password_and_starts_no_kafka_producer() throws Exception {
        Files.writeString(config, Files.readString(config) + """
                  to_kafka:
                    entity: public.orders
                    actions: [ { type: kafka, topic: orders } ]
                  to_mail:
                    entity: public.orders
                    actions: [ { type: email, to: [ ops@example.com ], subject: s, text: t } ]
                kafka: { bootstrap_servers: [ "no-such-broker.invalid:9092" ] }
                email: { smtp: { host: localhost, password: "${SMTP_PASSWORD}", from: observer@example.com } }
                """);
        // install first: status and dlq list only read, and need pg-observer installed.
        for (String[] command : List.of(new String[]{"install", "--table", "public.orders"}, new String[]{"status"},
                new String[]{"dlq", "list"}, new String[]{"backfill", "--table", "orders"})) {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            args.addAll(List.of("--config", config.toString()));
            Cli.Result result = Cli.run(args.toArray(String[]::new));
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.err()).as(result.toString()).doesNotContain("kafka", "broker");
        }
    }

    /**
     * replay needs a section only actions read (email:) only when its observer has an action of that section's
     * adapter: a webhook observer's replay delivers without SMTP_PASSWORD, an email observer's stops naming it.
     */
    @Test
    void replay_needs_the_email_section_only_for_an_observer_that_sends_email() throws Exception {
        Files.writeString(config, Files.readString(config) + """
                  to_mail:
                    entity: public.orders
                    actions: [ { type: email, to: [ ops@example.com ], subject: s, text: t } ]
                email: { smtp: { host: localhost, password: "${SMTP_PASSWORD}", from: observer@example.com } }
                """);
        assertThat(Cli.run("install", "--config", config.toString(), "--table", "public.orders").exitCode()).isZero();
        sql(databaseName(), "insert into public.orders (status) values ('a')");
        String id = Long.toString(queryLong("select max(id) from pgobserver.change_log"));

        assertReplays("order_shipped", id, id, 1);
        assertThat(received).hasSize(1);
        assertStops(replay("to_mail", id, id), "email.smtp.password", "SMTP_PASSWORD");
    }

    /**
     * dlq replay needs the secrets of the observers whose letters it replays, read from the letters first: without
     * SLACK_TOKEN the webhook observer's letter is delivered (by id, then with --all), while a Slack observer's
     * letter, by id or among all, stops the replay naming the variable and stays in the queue.
     */
    @Test
    void dlq_replay_needs_only_the_secrets_of_the_letters_observers() throws Exception {
        addSlackBot();
        long webhook;
        long slack;
        try (Booted booted = boot(Map.of("SLACK_TOKEN", "xoxb-fixture"))) {
            webhook = booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
            booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
        }
        Cli.Result one = Cli.run("dlq", "replay", "--config", config.toString(), "--id", Long.toString(webhook));
        assertThat(one.exitCode()).as(one.toString()).isZero();
        assertThat(one.out()).contains("letter " + webhook + ": delivered", "1 delivered, 0 not delivered");
        Cli.Result all = Cli.run("dlq", "replay", "--config", config.toString(), "--all");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.out()).contains("1 delivered, 0 not delivered");
        assertThat(received).hasSize(2);

        try (Booted booted = boot(Map.of("SLACK_TOKEN", "xoxb-fixture"))) {
            slack = booted.get(DeadLetters.class).add(letter("slack_bot", 0, "slack"));
            booted.get(DeadLetters.class).add(letter("order_shipped", 0, "webhook"));
        }
        for (String which : List.of("--id=" + slack, "--all")) {
            assertStops(Cli.run("dlq", "replay", "--config", config.toString(), which), SLACK_TOKEN, "SLACK_TOKEN");
        }
        assertThat(received).hasSize(2);
        assertThat(Cli.run("dlq", "list", "--config", config.toString(), "--json").out())
                .contains("\"id\":" + slack + ",");
    }

    /** The key of the Slack token that {@link #addSlackBot()} takes from SLACK_TOKEN. */
    private static final String SLACK_TOKEN = "observers.slack_bot.actions[0].token";

    /** The command stopped with exit 2 on {@code key}'s use of {@code variable}, which is not set. */
    private static void assertStops(Cli.Result result, String key, String variable) {
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).isEqualTo("configuration error: " + key + " uses ${" + variable + "}, which is "
                + "not set: export " + variable + " or write ${" + variable + ":-default}\n");
    }

    /** {@code replay} of a stretch of change_log ids for one observer, with this test's configuration. */
    private Cli.Result replay(String observer, String from, String to) {
        return Cli.run("replay", "--config", config.toString(), "--observer", observer, "--from-position", from,
                "--to-position", to);
    }

    /** The observer's replay of the stretch ran {@code events} events. */
    private void assertReplays(String observer, String from, String to, int events) {
        Cli.Result replay = replay(observer, from, to);
        assertThat(replay.exitCode()).as(replay.toString()).isZero();
        assertThat(replay.out()).contains("replayed " + events + " event(s) for observer " + observer);
    }

    /** Adds an observer whose Slack token comes from SLACK_TOKEN, which these tests leave unset. */
    private void addSlackBot() throws java.io.IOException {
        Files.writeString(config, Files.readString(config) + """
                  slack_bot:
                    entity: public.orders
                    actions: [ { type: slack, token: "${SLACK_TOKEN}", channel: "#ops", text: "{{after.id}}" } ]
                """);
    }

    private static DeadLetter letter(String observer, int actionIndex, String actionType) {
        ChangeEvent event = new ChangeEvent(UUID.randomUUID().toString(), new Position(100, 7), "public.orders", "42",
                ChangeKind.UPDATED, Map.of("id", 42, "status", "paid"), Map.of("id", 42, "status", "shipped"),
                Instant.parse("2026-01-01T00:00:00Z"), TraceContext.NONE);
        return new DeadLetter(0, "default", event, observer, actionIndex, actionType + "-" + actionIndex, actionType,
                actionIndex < 0 ? "condition failed" : "HTTP 500 from receiver", 5, Instant.now());
    }

    /** The adapters of this test's configuration, started, for writing fixtures through the ports. */
    private Booted boot() throws Exception {
        return boot(Map.of());
    }

    /** As {@link #boot()}, with these variables set (the secrets the configuration's actions use). */
    private Booted boot(Map<String, String> env) throws Exception {
        Configuration loaded = new ConfigLoader(env).load(config, List.of("metrics.enabled=false"));
        Boot.Booted booted = Boot.boot(loaded, AdapterCatalog.discover());
        Services services = new Services(booted.injector().getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { })));
        services.start();
        return new Booted(booted, services);
    }

    private record Booted(Boot.Booted booted, Services services) implements AutoCloseable {
        <T> T get(Class<T> type) {
            return booted.get(type);
        }

        @Override
        public void close() {
            services.close();
        }
    }

    private void sql(String db, String... statements) throws SQLException {
        try (Connection c = postgres.getDatabase("postgres", db).getConnection(); Statement s = c.createStatement()) {
            for (String each : statements) {
                s.execute(each);
            }
        }
    }

    private long queryLong(String query) throws SQLException {
        try (Connection c = postgres.getDatabase("postgres", databaseName()).getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
