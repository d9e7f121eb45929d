package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.contract.ChangeSourceContract;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The PostgreSQL change source keeps the contract, and reads what the capture trigger and applications write. */
class PostgresChangeSourceIT extends ChangeSourceContract {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private PostgresChangeSource source;

    @BeforeAll
    static void createTable() {
        DB.execute("""
                create table public.orders (
                    id bigint primary key, status text, amount numeric, qty integer, price double precision,
                    active boolean, note text, tags jsonb, traceparent text, tracestate text)
                """);
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
    }

    @Override
    protected ChangeSource newSource() {
        DB.execute("truncate public.orders", "truncate pgobserver.change_log", "truncate pgobserver.dead_letters");
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("it", Duration.ofMillis(200)));
        return source;
    }

    @Override
    protected Transaction begin() {
        return new JdbcTransaction(DB.settings());
    }

    @AfterEach
    void stopSource() {
        source.stop();
    }

    @Test
    void insertUpdateAndDeleteBecomeEventsWithRowImages() throws Exception {
        DB.execute("""
                insert into public.orders (id, status, amount, qty, price, active, note, tags)
                values (7, 'new', 12.10, 3, 0.5, true, null, '{"a": [1, "x", null, {"b": false}]}')
                """,
                "update public.orders set status = 'shipped', amount = 123456789012345678901234.5 where id = 7",
                "delete from public.orders where id = 7");
        List<ChangeEvent> events = Streams.readAtLeast(source, 3);

        ChangeEvent created = events.get(0);
        assertThat(created.kind()).isEqualTo(ChangeKind.CREATED);
        assertThat(created.entityType()).isEqualTo("public.orders");
        assertThat(created.entityId()).isEqualTo("7");
        assertThat(created.before()).isEmpty();
        assertThat(created.after().get("id")).isEqualTo(7L);
        assertThat(created.after().get("amount")).isEqualTo(new BigDecimal("12.10")); // the scale written
        assertThat(created.after().get("qty")).isEqualTo(3L);
        assertThat(created.after().get("price")).isEqualTo(new BigDecimal("0.5"));
        assertThat(created.after().get("active")).isEqualTo(true);
        assertThat(created.after()).containsEntry("note", null);
        assertThat(created.after().get("tags")).isEqualTo(Map.of("a", java.util.Arrays.asList(1L, "x", null,
                Map.of("b", false))));
        assertThat(created.id()).matches("[0-9a-f-]{36}");
        assertThat(created.traceContext()).isEqualTo(TraceContext.NONE);

        ChangeEvent updated = events.get(1);
        assertThat(updated.kind()).isEqualTo(ChangeKind.UPDATED);
        assertThat(updated.before().get("status")).isEqualTo("new");
        assertThat(updated.after().get("status")).isEqualTo("shipped");
        assertThat(updated.after().get("amount")).isEqualTo(new BigDecimal("123456789012345678901234.5"));

        ChangeEvent deleted = events.get(2);
        assertThat(deleted.kind()).isEqualTo(ChangeKind.DELETED);
        assertThat(deleted.entityId()).isEqualTo("7");
        assertThat(deleted.after()).isEmpty();
        assertThat(deleted.before().get("status")).isEqualTo("shipped");
        assertThat(events).extracting(ChangeEvent::id).doesNotHaveDuplicates();
    }

    /**
     * The guide's table of how each column type appears in a row image, on the real trigger: one row of every type
     * (numeric beyond a double, NaN and Infinity, bigint at its limits, odd text, arrays, enums, domains, composites,
     * a generated column, a writer in another time zone) and one row of SQL NULLs. The row is the one the CEL
     * adapter's {@code ColumnTypesTest} evaluates conditions on, so those run on what the trigger writes.
     */
    @Test
    void everyColumnTypeIsCapturedAsTheGuideSays() throws Exception {
        DB.execute("""
                create type public.mood as enum ('happy', 'sad');
                create domain public.positive_int as integer check (value > 0);
                create type public.address as (street text, zip integer);
                create table public.column_types (
                    id bigint primary key,
                    amount numeric, amount_nan numeric, amount_inf numeric, price numeric(10, 2), tiny numeric,
                    big bigint, big_min bigint, ratio real, measure double precision, measure_nan double precision,
                    measure_inf double precision, measure_ninf double precision,
                    active boolean, note text, blob bytea, ref uuid, day date, at_time time, created_at timestamp,
                    shipped_at timestamptz, wait interval, payload jsonb, payload_null jsonb,
                    ints integer[], tags text[], grid integer[][],
                    mood public.mood, quantity public.positive_int, address public.address, ip inet, cash money,
                    doubled numeric generated always as (amount * 2) stored)
                """);
        new PostgresCaptureInstaller(DB.database()).install("public.column_types", null);
        DB.execute("""
                set timezone = 'Asia/Kolkata';
                insert into public.column_types values (1,
                    12345678901234567890.123456789, 'NaN', 'Infinity', 100.00, 0.0000001,
                    9223372036854775807, -9223372036854775808, 3.14, 1.5e300, 'NaN', 'Infinity', '-Infinity',
                    true, E'it''s "quoted" \\\\ back\\nslash \\U0001F600 \\u200b \\u00e9', '\\xdeadbeef',
                    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-01-02', '03:04:05.123', '2026-01-02 03:04:05.123456',
                    '2026-01-02 08:34:05+05:30', '1 day 2 hours 3.5 seconds',
                    '{"items": [{"sku": "A-1", "qty": 2}], "discount": null, "big": 12345678901234567890}', 'null',
                    '{1,2,NULL}', '{"urgent","b c",NULL}', '{{1,2},{3,4}}',
                    'happy', 5, row('Main St', 12345), '192.168.0.1/24', 1234.56, default);
                insert into public.column_types (id) values (2)
                """);
        List<ChangeEvent> events = Streams.readAtLeast(source, 2);

        // The CEL adapter's test resource: what PostgreSQL's to_jsonb wrote for row 1 (the tests' working
        // directory is the module's).
        String captured = Files.readString(Path.of("../adapters-conditions-cel/src/test/resources/column-types-row.json"));
        assertThat(events.get(0).after()).isEqualTo(Json.readObject(captured));
        assertThat(events.get(0).after()).containsEntry("amount", new BigDecimal("12345678901234567890.123456789"))
                .containsEntry("price", new BigDecimal("100.00"))
                .containsEntry("tiny", new BigDecimal("0.0000001")).containsEntry("amount_nan", "NaN")
                .containsEntry("shipped_at", "2026-01-02T08:34:05+05:30").containsEntry("payload_null", null)
                .containsEntry("doubled", new BigDecimal("24691357802469135780.246913578"));
        assertThat(events.get(1).after()).hasSameSizeAs(events.get(0).after()).containsEntry("id", 2L)
                .allSatisfy((column, value) -> assertThat(value).as(column).isIn(2L, null));
    }

    @Test
    void theWritersTraceContextFromSetLocalReachesTheEvent() throws Exception {
        try (Connection writer = TestPostgres.connect(DB.settings())) {
            writer.setAutoCommit(false);
            Statement statement = writer.createStatement();
            statement.execute("set local pgobserver.traceparent = '" + TRACEPARENT + "'");
            statement.execute("set local pgobserver.tracestate = 'vendor=value'");
            statement.execute("insert into public.orders (id, status) values (1, 'traced')");
            writer.commit();
            // SET LOCAL ended with the transaction: the next write carries no context.
            writer.setAutoCommit(true);
            statement.execute("insert into public.orders (id, status) values (2, 'untraced')");
        }
        List<ChangeEvent> events = Streams.readAtLeast(source, 2);
        assertThat(events.get(0).traceContext().traceparent()).isEqualTo(TRACEPARENT);
        assertThat(events.get(0).traceContext().tracestate()).isEqualTo("vendor=value");
        assertThat(events.get(1).traceContext()).isEqualTo(TraceContext.NONE);
    }

    @Test
    void anInvalidTraceContextNeverFailsTheWriteAndStartsANewTrace() throws Exception {
        try (Connection writer = TestPostgres.connect(DB.settings())) {
            writer.setAutoCommit(false);
            Statement statement = writer.createStatement();
            statement.execute("set local pgobserver.traceparent = 'not-a-traceparent''); drop table x; --'");
            statement.execute("set local pgobserver.tracestate = '==,,=='");
            statement.execute("insert into public.orders (id, status) values (1, 'bad trace')");
            writer.commit();
        }
        List<ChangeEvent> events = Streams.readAtLeast(source, 1);
        assertThat(events.get(0).traceContext()).isEqualTo(TraceContext.NONE);
        assertThat(events.get(0).after().get("status")).isEqualTo("bad trace");
    }

    /** Uppercase hex, a common slip, is invalid: the warning names the row, the value, what is wrong and what is valid. */
    @Test
    void anInvalidTraceparentIsNamedInAWarningOnceAMinute() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(InvalidTraceContexts.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        InvalidTraceContexts.forget();
        String upper = "00-" + TRACEPARENT.substring(3).toUpperCase(java.util.Locale.ROOT);
        try {
            for (int id = 1; id <= 3; id++) {
                try (Connection writer = TestPostgres.connect(DB.settings())) {
                    writer.setAutoCommit(false);
                    Statement statement = writer.createStatement();
                    statement.execute("set local pgobserver.traceparent = '" + upper + "'");
                    statement.execute("insert into public.orders (id, status) values (" + id + ", 'upper')");
                    writer.commit();
                }
            }
            List<ChangeEvent> events = Streams.readAtLeast(source, 3);
            assertThat(events).extracting(ChangeEvent::traceContext).containsOnly(TraceContext.NONE);
        } finally {
            logger.detachAppender(log);
        }
        assertThat(log.list).as("one warning for the three rows within a minute").singleElement()
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).asString()
                .startsWith("change_log row ").contains("(public.orders 1) carries traceparent '" + upper
                        + "', which is not a W3C trace context: its trace id has upper-case hex digits, where W3C"
                        + " allows lowercase only. Its event goes on in a new trace", "32 lowercase hex digits",
                        "fix what the writer sets as pgobserver.traceparent");
    }

    @Test
    void aTraceparentFieldOfTheRowIsTheFallback() throws Exception {
        DB.execute("insert into public.orders (id, status, traceparent, tracestate) values (1, 'x', '"
                + TRACEPARENT + "', 'k=v')");
        ChangeEvent event = Streams.readAtLeast(source, 1).get(0);
        assertThat(event.traceContext().traceparent()).isEqualTo(TRACEPARENT);
        assertThat(event.traceContext().tracestate()).isEqualTo("k=v");
    }

    @Test
    void applicationsMayInsertIntoTheChangeLogDirectly() throws Exception {
        DB.execute("""
                insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                values ('billing.invoice', 'inv-1', 'created', '{"total": 10}')
                """);
        ChangeEvent event = Streams.readAtLeast(source, 1).get(0);
        assertThat(event.entityType()).isEqualTo("billing.invoice");
        assertThat(event.entityId()).isEqualTo("inv-1");
        assertThat(event.kind()).isEqualTo(ChangeKind.CREATED);
        assertThat(event.after()).isEqualTo(Map.of("total", 10L));
        assertThat(event.position().txid()).isPositive();
    }

    @Test
    void aNotificationEndsTheWaitLongBeforeThePollInterval() throws Exception {
        // The poll interval and the wait are far longer than the test can take: only NOTIFY can end the wait.
        PostgresChangeSource sleepy = new PostgresChangeSource(DB.database(),
                TestPostgres.listener("it", Duration.ofMinutes(10)));
        try {
            Snapshot before = sleepy.snapshot();
            sleepy.awaitChanges(Duration.ZERO);
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    sleepy.awaitChanges(Duration.ofMinutes(2));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            DB.execute("insert into public.orders (id, status) values (1, 'wake up')");
            waiting.get(90, TimeUnit.SECONDS);
            assertThat(sleepy.read(new Batch(1, before, sleepy.snapshot()), 0, 10).events())
                    .extracting(ChangeEvent::entityId).containsExactly("1");
        } finally {
            sleepy.stop();
        }
    }

    @Test
    void aMultiRowStatementDeliversEveryRowInOrder() throws Exception {
        DB.execute("insert into public.orders (id, status) select g, 'bulk' from generate_series(1, 1200) g");
        List<ChangeEvent> events = Streams.readAtLeast(source, 1200);
        assertThat(events).hasSize(1200);
        assertThat(events).extracting(e -> e.position().offset()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void lagCountsUnreadEventsAndTheAgeOfTheOldest() throws Exception {
        Snapshot before = source.snapshot();
        DB.execute("insert into public.orders (id, status) select g, 'lagging' from generate_series(1, 3) g",
                "update pgobserver.change_log set occurred_at = now() - interval '1 hour'");
        Snapshot after = source.snapshot();
        ChangeSource.Lag lag = source.lag(before);
        assertThat(lag.events()).isEqualTo(3);
        assertThat(lag.age()).isGreaterThanOrEqualTo(Duration.ofMinutes(59));
        assertThat(source.lag(after)).isEqualTo(ChangeSource.Lag.NONE);
    }

    @Test
    void idsDrawnByInsertsThatNeverCommittedLeaveNoLagOnceCaughtUp() throws Exception {
        DB.execute("insert into public.orders (id, status) values (1, 'kept')");
        Snapshot caughtUp = source.snapshot();
        try (Connection writer = TestPostgres.connect(DB.settings()); Statement statement = writer.createStatement()) {
            writer.setAutoCommit(false);
            statement.execute("insert into public.orders (id, status) select g, 'rolled back' "
                    + "from generate_series(2, 4) g");
            writer.rollback();
            // An insert the log's own check rejects draws an id too.
            writer.setAutoCommit(true);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> statement.execute(
                    "insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                            + "values ('x.y', '1', 'created', '[1, 2]')")).hasMessageContaining("check constraint");
        }
        assertThat(source.lag(caughtUp)).as("an idle consumer after rolled-back inserts").isEqualTo(ChangeSource.Lag.NONE);

        DB.execute("insert into public.orders (id, status) values (5, 'committed later')");
        // Estimated from the sequence: the ids of the rolled-back rows before it count while it waits.
        assertThat(source.lag(caughtUp).events()).isEqualTo(5);
        assertThat(source.lag(source.snapshot())).isEqualTo(ChangeSource.Lag.NONE);
    }

    @Test
    void theLogRejectsRowsThatCouldNotBecomeEvents() throws Exception {
        try (Connection writer = TestPostgres.connect(DB.settings()); Statement statement = writer.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> statement.execute("""
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                    values ('x.y', '1', 'created', '[1, 2]')
                    """)).hasMessageContaining("check constraint");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> statement.execute("""
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                    values ('  ', '1', 'created', '{}')
                    """)).hasMessageContaining("check constraint");
            try (ResultSet rs = statement.executeQuery("select count(*) from pgobserver.change_log")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    @Test
    void aBatchIsReadThroughTheTxidIndexNotByScanningTheLog() throws Exception {
        DB.execute("""
                insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                select 'public.orders', g::text, 'created', '{}' from generate_series(1, 20000) g
                """, "analyze pgobserver.change_log");
        // In from's in-progress list only when a younger transaction has completed.
        Transaction inProgress = begin();
        inProgress.write("o-1", "in progress at the batch's start");
        DB.execute("insert into public.orders (id, status) values (1, 'younger')");
        Snapshot from = source.snapshot();
        assertThat(from.value()).doesNotEndWith(":");
        inProgress.commit();
        DB.execute("insert into public.orders (id, status) values (2, 'new')");
        Batch batch = new Batch(1, from, source.snapshot());
        String plan = explain(batch, 0);
        assertThat(plan).contains("change_log_stream_idx").doesNotContain("Seq Scan")
                .doesNotContain("Rows Removed by Filter: 20000");
        assertThat(source.read(batch, 0, 10).events()).extracting(ChangeEvent::entityId).containsExactly("o-1", "2");
    }

    private static String explain(Batch batch, long afterId) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection connection = TestPostgres.connect(DB.settings());
             PreparedStatement explain = BatchQuery.prepare(connection, "explain analyze ", batch, afterId, 500)) {
            try (ResultSet rs = explain.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    @Test
    void stopEndsAWait() throws Exception {
        PostgresChangeSource sleepy = new PostgresChangeSource(DB.database(),
                TestPostgres.listener("it", Duration.ofMinutes(10)));
        sleepy.awaitChanges(Duration.ZERO);
        CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                sleepy.awaitChanges(Duration.ofMinutes(5));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        Thread.sleep(300);
        sleepy.stop();
        assertThat(waiting.get(2, TimeUnit.MINUTES)).isInstanceOf(ChangeSource.ChangeSourceException.class)
                .hasMessageContaining("stopped");
    }

    /** A writer's transaction on a JDBC session of its own. */
    private static final class JdbcTransaction implements Transaction {
        private final Connection connection;

        JdbcTransaction(DatabaseSettings settings) {
            try {
                connection = TestPostgres.connect(settings);
                connection.setAutoCommit(false);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long write(String entityId, String status) {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                    values ('public.orders', ?, 'updated', jsonb_build_object('status', ?::text)) returning id
                    """)) {
                insert.setString(1, entityId);
                insert.setString(2, status);
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long writeUnreadable(String entityId) {
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                    values ('public.orders', ?, 'updated', ?::jsonb) returning id
                    """)) {
                insert.setString(1, entityId);
                insert.setString(2, "{\"d\": " + "[".repeat(1_500) + "]".repeat(1_500) + "}");
                try (ResultSet rs = insert.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void commit() {
            end(true);
        }

        @Override
        public void rollback() {
            end(false);
        }

        private void end(boolean commit) {
            try (connection) {
                if (commit) {
                    connection.commit();
                } else {
                    connection.rollback();
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
