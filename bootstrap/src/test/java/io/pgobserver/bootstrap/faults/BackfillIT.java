package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.tracing.ExportedSpan;
import io.pgobserver.bootstrap.tracing.OtlpReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-observer backfill} from the packaged jar against an embedded PostgreSQL, beside a {@code run} process:
 * a table with existing rows ({@code -Dbackfill.rows=N}, 20,000 by default; docs/performance.md has the full-size
 * run) and 4 writers updating random rows throughout ({@code -Dbackfill.pause=MS} between a writer's updates). The backfill is killed with SIGKILL a third of the way and
 * started again. Every row must arrive exactly once as {@code read} at the one observer named, the receiver's last
 * state of every row must be the table's final one, and the other observer must get nothing. The command's other
 * paths are in {@link BackfillCommandIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackfillIT {

    private static final int ROWS = Integer.getInteger("backfill.rows", 20_000);
    private static final int CHUNK = Integer.getInteger("backfill.chunk", 1_000);
    private static final int WRITERS = 4;
    /** Milliseconds each writer waits between updates: a little in CI, so the drain stays short; 0 at full size. */
    private static final int PAUSE = Integer.getInteger("backfill.pause", 2);
    private static final String ROWS_DONE = "select coalesce(max(rows_done), 0) from pgobserver.backfills "
            + "where table_name = 'public.orders'";

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;
    private OtlpReceiver traces;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("backfill",
                "create table public.orders (id int primary key, status text not null, n int not null default 0)");
        traces = OtlpReceiver.http();
    }

    @AfterAll
    void stop() throws Exception {
        traces.close();
        rig.close();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void every_row_arrives_once_as_read_in_order_with_live_writes_across_a_kill_nine() throws Exception {
        var config = FaultSupport.writeConfig(rig.work, "orders.yaml", """
                database: { url: "%s", user: postgres }
                listener: { consumer: backfill-orders, poll_interval: 200ms, checkpoint_interval: 100ms, max_in_flight: 64 }
                tracing:
                  enabled: true
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  batch: { schedule_delay: 200ms, max_queue_size: 200000 }
                metrics: { enabled: false }
                admin: { port: -1 }
                actions: { connect_timeout: 1s, read_timeout: 5s }
                observers:
                  orders:
                    entity: public.orders
                    actions: [ { type: webhook, url: "%s" } ]
                  audit:
                    entity: public.orders
                    on: [read]
                    actions: [ { type: webhook, url: "%s" } ]
                """.formatted(rig.postgres.jdbcUrl(), traces.endpoint(), rig.hooks.url("/hooks/orders"),
                rig.hooks.url("/hooks/audit")));
        FaultSupport.sql(rig.postgres, "insert into public.orders select g, 'new', 0 from generate_series(1, "
                + ROWS + ") g");
        FaultSupport.sql(rig.postgres, "analyze public.orders");
        rig.install(config, "public.orders");
        ObserverProcess observer = rig.run("observer", config, Map.of());

        WriteLatencies latencies = new WriteLatencies();
        AtomicBoolean writing = new AtomicBoolean(true);
        Random random = new Random(seed);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Random own = new Random(random.nextLong());
            writers.add(Thread.ofPlatform().name("order-writer-" + w).start(() -> write(own, writing, latencies)));
        }
        Thread.sleep(3_000); // the writers' latency before the backfill

        String[] backfill = {"backfill", "--config", config.toString(), "--table", "public.orders", "--observer",
                "orders", "--chunk", Integer.toString(CHUNK)};
        latencies.phase.set(1);
        // A session holding a row past the middle keeps the first run from finishing before it is killed (at CI's
        // size it takes about 2 s): the chunk with that row waits for it, as a chunk waits for any writer's row.
        Connection stopper = rig.postgres.connect("backfill-stopper");
        stopper.setAutoCommit(false);
        try (Statement hold = stopper.createStatement()) {
            hold.executeQuery("select id from public.orders where id = " + (ROWS / 2 + 1) + " for update").close();
        }
        ObserverProcess first = ObserverProcess.start("backfill-1", rig.log, Map.of(), backfill);
        await("a third of the rows backfilled", Duration.ofMinutes(10), () -> count(ROWS_DONE) >= ROWS / 3);
        first.kill();
        stopper.rollback();
        stopper.close();
        long doneAtKill = count(ROWS_DONE);
        double firstRate = firstRate();
        assertThat(count("select count(*) from pgobserver.backfills where state = 'running' "
                + "and table_name = 'public.orders'")).as("the killed backfill is unfinished").isEqualTo(1);

        ObserverProcess.Finished progress = ObserverProcess.runToEnd("status", rig.log, Map.of(), "status",
                "--config", config.toString());
        // Its process is gone, so it is not running: status says so, and how to go on.
        assertThat(progress.output()).as("status while the backfill is unfinished")
                .containsPattern("backfill \\d+ of public.orders for orders interrupted: " + doneAtKill
                        + " of ~\\d+ rows, last key \\d+\\n    no process runs it")
                .contains("'pg-observer backfill --config " + config + " --resume --table public.orders' goes on "
                        + "after that chunk");

        ObserverProcess second = ObserverProcess.start("backfill-2", rig.log, Map.of(), backfill);
        int exit = second.waitFor(60 + ROWS / 100);
        latencies.phase.set(2);
        String output = second.output();
        assertThat(exit).as(output).isZero();
        long id = count("select id from pgobserver.backfills where table_name = 'public.orders'");
        assertThat(output).contains("resuming unfinished backfill " + id + " of public.orders for observer orders")
                .contains(doneAtKill + " row(s) already done")
                .contains("backfill " + id + " of public.orders finished: " + ROWS + " row(s)");
        Thread.sleep(1_000);
        writing.set(false);
        for (Thread writer : writers) {
            writer.join();
        }

        ObserverProcess.Finished status = ObserverProcess.runToEnd("status", rig.log, Map.of(), "status", "--json",
                "--config", config.toString());
        assertThat(status.output()).contains("\"state\":\"finished\"").contains("\"rows_done\":" + ROWS);

        Set<String> orderEvents = eventIds("public.orders");
        // Each row logged once as read: the killed chunk was rolled back whole, the second run went on after it.
        assertThat(count("select count(*) from pgobserver.change_log where kind = 'read' "
                + "and entity_type = 'public.orders'")).isEqualTo(ROWS);
        assertThat(count("select count(distinct entity_id) from pgobserver.change_log where kind = 'read' "
                + "and entity_type = 'public.orders'")).isEqualTo(ROWS);

        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres).stream()
                .filter(row -> orderEvents.contains(row.eventId())).toList();
        long started = System.nanoTime();
        rig.assertAllDelivered(observer, rows, "/hooks/orders", Duration.ofMinutes(10));
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        Map<String, Integer> reads = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Map<String, Integer> lastN = new HashMap<>();
        for (WebhookReceiver.Request r : rig.hooks.successes()) {
            if (!r.path().equals("/hooks/orders")) {
                continue;
            }
            if (r.json().path("kind").asText().equals("read") && seen.add(r.eventId())) {
                reads.merge(r.entityId(), 1, Integer::sum);
            }
            lastN.put(r.entityId(), r.json().path("after").path("n").asInt());
        }
        assertThat(reads).as("rows that arrived as read").hasSize(ROWS);
        assertThat(reads.values()).as("read events per row").containsOnly(1);
        Map<String, Integer> table = tableState();
        List<String> wrong = new ArrayList<>();
        table.forEach((row, n) -> {
            if (!n.equals(lastN.get(row))) {
                wrong.add("row " + row + ": table n=" + n + ", receiver's last n=" + lastN.get(row));
            }
        });
        long audit = rig.hooks.requests().stream().filter(r -> r.path().equals("/hooks/audit")).count();

        await("read events' spans exported", Duration.ofMinutes(1),
                () -> traces.spansNamed("process_event").stream().anyMatch(s -> "read".equals(s.attribute("kind"))));
        List<ExportedSpan> readSpans = traces.spansNamed("process_event").stream()
                .filter(s -> "read".equals(s.attribute("kind")) && "public.orders".equals(s.attribute("entity_type")))
                .toList();

        System.out.printf("BackfillIT (seed %d): %d rows in chunks of %d, %d writers (%d updates); killed after %d "
                        + "rows, resumed; backfill rate %.0f rows/s (first run, tracing on); all delivered %d ms "
                        + "after the backfill ended; write latency p50/p99 before %s, during %s; %d rows wrong, "
                        + "%d audit requests, %d read spans exported%n", seed, ROWS, CHUNK, WRITERS,
                latencies.count(), doneAtKill, firstRate, drainMillis, latencies.summary(0), latencies.summary(1),
                wrong.size(), audit, readSpans.size());
        assertThat(wrong).as("rows whose last state at the receiver is not the table's (seed %d, log %s)", seed,
                rig.log).isEmpty();
        assertThat(audit).as("requests to the observer the backfill was not for").isZero();
        assertThat(readSpans).allSatisfy(s -> assertThat(s.attribute("backfill")).isEqualTo(Long.toString(id)));
        rig.assertRunning(observer);
        observer.stop();
    }

    private long count(String query) {
        try {
            return FaultSupport.queryLong(rig.postgres, query);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows per second of the first run, from its start to its last finished chunk. */
    private double firstRate() {
        long millis = count("select (extract(epoch from updated_at - started_at) * 1000)::bigint "
                + "from pgobserver.backfills where table_name = 'public.orders'");
        return count(ROWS_DONE) * 1000.0 / Math.max(1, millis);
    }

    private Set<String> eventIds(String entityType) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = rig.postgres.connect("check"); PreparedStatement s = c.prepareStatement(
                "select event_id::text from pgobserver.change_log where entity_type = ?")) {
            s.setString(1, entityType);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    private Map<String, Integer> tableState() throws SQLException {
        Map<String, Integer> state = new HashMap<>();
        try (Connection c = rig.postgres.connect("check"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, n from public.orders")) {
            while (rs.next()) {
                state.put(Integer.toString(rs.getInt(1)), rs.getInt(2));
            }
        }
        return state;
    }

    /** One writer: update a random row, one autocommit statement at a time, timing each. */
    private void write(Random random, AtomicBoolean writing, WriteLatencies latencies) {
        try (Connection c = rig.postgres.connect("order-writer");
             PreparedStatement update = c.prepareStatement(
                     "update public.orders set n = n + 1, status = 'touched' where id = ?")) {
            while (writing.get()) {
                update.setInt(1, 1 + random.nextInt(ROWS));
                long started = System.nanoTime();
                update.executeUpdate();
                latencies.add(System.nanoTime() - started);
                if (PAUSE > 0) {
                    Thread.sleep(PAUSE);
                }
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("order writer failed", e);
        }
    }
}
