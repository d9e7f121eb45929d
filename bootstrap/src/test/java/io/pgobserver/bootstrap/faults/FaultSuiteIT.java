package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end fault suite: the packaged jar runs as two child processes sharing one consumer
 * (one active, one standby) against an embedded PostgreSQL, a scriptable webhook target and an OTLP/HTTP trace
 * backend, while a writer streams row changes. Faults are injected one after another at random moments:
 * SIGKILL of the active observer (the standby takes over), SIGKILL of both, PostgreSQL restarted, the
 * observer's sessions terminated, the webhook answering 5xx / 429 / too late / with resets / with trickling
 * bodies, the trace backend down or stalling.
 *
 * <p>Between faults, and at the end, the suite reconciles: every (event, observer) pair at or before the saved
 * checkpoint was answered 2xx by the webhook target (by {@code webhook-id}) or is in {@code dead_letters}.
 * At the end the checkpoint must cover the whole stream and nothing may be lost. The figures are printed and
 * written to {@code target/fault-suite-figures.txt}.
 */
class FaultSuiteIT {

    private static final String CONSUMER = "faults";
    private static final String ACTIVE = "consumer '" + CONSUMER + "' active";
    private static final String STARTED = "observer(s)";

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<String, Integer> faults = new LinkedHashMap<>();
    private final List<ObserverProcess> observers = new ArrayList<>();
    private final List<Long> takeoverMillis = new ArrayList<>();
    private Path work;
    private Path config;
    private Path log;
    private int checks;

    private FaultSupport.Postgres postgres;
    private WebhookReceiver hooks;
    private TraceBackend traces;
    private Writer writer;
    private Thread writerThread;

    @AfterEach
    void tearDown() throws Exception {
        if (writer != null) {
            writer.stop = true;
            writerThread.join(10_000);
        }
        List<AutoCloseable> all = new ArrayList<>(observers);
        all.addAll(List.of(hooks == null ? () -> { } : hooks, traces == null ? () -> { } : traces,
                postgres == null ? () -> { } : postgres));
        FaultSupport.closeAll(work, all.toArray(AutoCloseable[]::new));
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void nothing_is_lost_and_the_checkpoint_never_runs_ahead_under_faults() throws Exception {
        work = Files.createTempDirectory("pgobserver-faults");
        log = Path.of("target", "fault-suite-observers.log");
        Files.deleteIfExists(log);
        postgres = new FaultSupport.Postgres(work.resolve("pgdata")).start();
        hooks = WebhookReceiver.start();
        // A permanent refusal for some rows: those must end in dead_letters, not be retried for ever.
        hooks.rejectWhen(r -> r.bodyText().contains("\"poison\": true") || r.bodyText().contains("\"poison\":true"));
        traces = TraceBackend.start();
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            s.execute("create table public.items (id bigserial primary key, n int not null, d int not null, "
                    + "poison boolean not null default false)");
        }
        config = writeConfig();

        ObserverProcess a = startObserver("observer-a");
        ObserverProcess b = startObserver("observer-b");
        await("an active observer", Duration.ofMinutes(2), () -> a.lastLine(ACTIVE) > 0 || b.lastLine(ACTIVE) > 0);
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            s.execute("create trigger pgobserver_capture after insert or update or delete on public.items "
                    + "for each row execute function pgobserver.capture('id')");
        }

        writer = new Writer(postgres, new Random(random.nextLong()));
        writerThread = Thread.ofPlatform().name("faults-writer").start(writer);

        pause();
        killActive();
        pause();
        webhook(Mode.ERROR_5XX, "webhook 503 for 3 s");
        pause();
        killActive();
        pause();
        webhook(Mode.TOO_MANY_REQUESTS, "webhook 429 Retry-After: 1 for 3 s");
        pause();
        cutConnections();
        pause();
        webhook(Mode.SLOW, "webhook answers after the timeout for 3 s");
        pause();
        traceBackendDown();
        pause();
        webhook(Mode.RESET, "webhook connection resets for 3 s");
        pause();
        restartPostgres();
        pause();
        killActive();
        pause();
        webhook(Mode.SLOW_BODY, "webhook trickling response bodies for 3 s");
        pause();
        traceBackendStalls();
        pause();
        killBoth();
        pause();
        cutConnections();
        pause();

        writer.stop = true;
        writerThread.join(30_000);
        hooks.mode(Mode.OK);
        traces.up();

        await("the checkpoint to cover every event", Duration.ofMinutes(3), () -> uncovered() == 0);
        Reconciliation end = reconcile(false);
        checks++;
        long events = countEvents();
        Map<String, Integer> delivered = hooks.delivered();
        long duplicates = delivered.values().stream().mapToLong(n -> n - 1).sum();
        int faultCount = faults.values().stream().mapToInt(Integer::intValue).sum();

        StringBuilder figures = new StringBuilder();
        figures.append("pg-observer fault suite (seed ").append(seed).append(")\n");
        figures.append(String.format("  events sent (change_log rows): %d  (writer committed %d in %d transactions, "
                + "%d writes failed under faults)%n", events, writer.committedEvents.get(), writer.committedTx.get(),
                writer.failures.get()));
        figures.append(String.format("  faults injected:               %d%n", faultCount));
        faults.forEach((name, n) -> figures.append(String.format("      %-52s %d%n", name, n)));
        figures.append(String.format("  standby takeovers after SIGKILL: %s ms%n", takeoverMillis));
        figures.append(String.format("  (event, observer) pairs:       %d%n", end.pairs()));
        figures.append(String.format("  delivered (2xx by webhook-id): %d%n", end.delivered()));
        figures.append(String.format("  dead-lettered:                 %d%n", end.deadLettered()));
        figures.append(String.format("  lost:                          %d%n", end.lost()));
        figures.append(String.format("  duplicates (extra 2xx):        %d%n", duplicates));
        figures.append(String.format("  webhook requests: %d, answered with a fault: %d, refused 422: %d%n",
                hooks.requestCount(), hooks.faultedCount(), hooks.rejectedCount()));
        figures.append(String.format("  OTLP exports accepted: %d (held while stalling: %d)%n", traces.exportCount(),
                traces.stalledCount()));
        figures.append(String.format("  checkpoint consistency checks passed: %d%n", checks));
        System.out.print(figures);
        Files.writeString(Path.of("target", "fault-suite-figures.txt"), figures);

        assertThat(end.lostSamples()).as("lost (event.observer); seed %d; observer logs in %s", seed, log).isEmpty();
        assertThat(end.lost()).isZero();
        assertThat(events).as("events sent").isGreaterThan(1_000);
        assertThat(end.deadLettered()).as("poison rows and failed conditions reach dead_letters").isPositive();
        assertThat(faultCount).isGreaterThanOrEqualTo(15);
        assertThat(traces.exportCount()).as("spans reached the trace backend while it was up").isPositive();

        for (ObserverProcess observer : observers) {
            if (observer.isAlive()) {
                observer.stop();
            }
        }
    }

    // ---- the faults --------------------------------------------------------------------------------------

    private void fault(String name) {
        faults.merge(name, 1, Integer::sum);
    }

    /** Between faults: normal running for a random while, then the checkpoint is checked against deliveries. */
    private void pause() throws Exception {
        Thread.sleep(1_500 + random.nextInt(2_000));
        checkConsistency();
    }

    /** The checkpoint must not be ahead of any event that is neither delivered nor dead-lettered. */
    private void checkConsistency() throws SQLException {
        Reconciliation partial = reconcile(true);
        if (partial != null) {
            checks++;
            assertThat(partial.lostSamples()).as("events at or before the saved checkpoint that were neither "
                    + "delivered nor dead-lettered (seed %d)", seed).isEmpty();
        }
    }

    /**
     * Checks consistency every quarter second for a while: during a webhook outage hundreds of events are retrying
     * and finish out of order, which is exactly when a checkpoint that ran ahead of an unfinished event would show.
     */
    private void watch(long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        do {
            checkConsistency();
            Thread.sleep(250);
        } while (System.nanoTime() < end);
    }

    private ObserverProcess startObserver(String name) throws IOException {
        ObserverProcess process = ObserverProcess.start(name, log, Map.of("PGOBSERVER_LOG_LEVEL", "INFO"),
                "run", "--config", config.toString(), "--shutdown-timeout", "10s");
        observers.add(process);
        return process;
    }

    private ObserverProcess replace(ObserverProcess dead) throws Exception {
        observers.remove(dead);
        ObserverProcess fresh = startObserver(dead.name());
        await(fresh.name() + " to start", Duration.ofMinutes(2), () -> fresh.lastLine(STARTED) > 0 || !fresh.isAlive());
        assertThat(fresh.isAlive()).as("%s restarted; output:%n%s", fresh.name(), fresh.output()).isTrue();
        return fresh;
    }

    private ObserverProcess active() throws InterruptedException {
        await("an active observer", Duration.ofMinutes(2), () -> observers.stream()
                .anyMatch(o -> o.isAlive() && o.lastLine(ACTIVE) > 0));
        ObserverProcess best = null;
        for (ObserverProcess o : observers) {
            if (o.isAlive() && (best == null || o.lastLine(ACTIVE) > best.lastLine(ACTIVE))) {
                best = o;
            }
        }
        return best;
    }

    /** SIGKILL of the active observer at a random moment of its work; the standby must take over. */
    private void killActive() throws Exception {
        ObserverProcess victim = active();
        Thread.sleep(random.nextInt(700));
        long before = observers.stream().mapToLong(o -> o.lastLine(ACTIVE)).max().orElse(-1);
        long killedAt = System.nanoTime();
        victim.kill();
        fault("SIGKILL of the active observer");
        await("the standby to take over", Duration.ofMinutes(2), () -> observers.stream()
                .anyMatch(o -> o != victim && o.lastLine(ACTIVE) > before));
        takeoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        replace(victim);
    }

    private void killBoth() throws Exception {
        List<ObserverProcess> all = List.copyOf(observers);
        for (ObserverProcess o : all) {
            o.kill();
        }
        fault("SIGKILL of both observers at once (cold restart)");
        for (ObserverProcess o : all) {
            replace(o);
        }
        long restartedAt = observers.stream().mapToLong(o -> o.lastLine(STARTED)).min().orElse(0);
        await("an observer active after the cold restart", Duration.ofMinutes(2),
                () -> observers.stream().anyMatch(o -> o.lastLine(ACTIVE) > restartedAt));
    }

    private void webhook(Mode mode, String name) throws Exception {
        hooks.mode(mode);
        fault(name);
        watch(1_500);
        // A SIGKILL in the middle of some failure windows: retries in flight die with the process.
        if (mode == Mode.ERROR_5XX || mode == Mode.SLOW_BODY) {
            killActive();
        }
        watch(1_500);
        hooks.mode(Mode.OK);
        watch(1_000); // the backlog drains, events finishing out of order
    }

    private void cutConnections() throws InterruptedException {
        // Right after another fault the observers may still be reconnecting: wait until there is something to cut.
        await("observer sessions to cut", Duration.ofMinutes(1), () -> {
            try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                         + "where application_name like 'pg-observer%'")) {
                rs.next();
                return rs.getInt(1) > 0;
            } catch (SQLException e) {
                return false;
            }
        });
        fault("observer's PostgreSQL sessions terminated (pg_terminate_backend)");
    }

    private void restartPostgres() throws IOException {
        postgres.restart();
        fault("PostgreSQL restarted (fast shutdown, start on the same data)");
    }

    private void traceBackendDown() throws Exception {
        traces.down();
        fault("trace backend unreachable for 5 s");
        Thread.sleep(5_000);
        deliveriesGoOn("the trace backend is down");
        traces.up();
    }

    private void traceBackendStalls() throws Exception {
        traces.stallAnswers();
        fault("trace backend accepting and stalling for 6 s");
        Thread.sleep(3_000);
        killActive();
        Thread.sleep(3_000);
        deliveriesGoOn("the trace backend stalls");
        traces.release();
    }

    /** Telemetry never harms delivery: while the backend is out, webhooks keep arriving. */
    private void deliveriesGoOn(String outage) throws InterruptedException {
        int before = hooks.delivered().size();
        await("deliveries while " + outage, Duration.ofMinutes(1), () -> hooks.delivered().size() >= before + 20);
    }

    // ---- reconciliation ----------------------------------------------------------------------------------

    record Reconciliation(int pairs, int delivered, int deadLettered, int lost, List<String> lostSamples) {
    }

    /** Which observers an event concerns: every change goes to 'items', updates also to 'ratio'. */
    private static List<String> observersOf(String kind) {
        return kind.equals("updated") ? List.of("items", "ratio") : List.of("items");
    }

    /**
     * Accounts for events: all of them, or (partial) those at or before the saved checkpoint. The checkpoint is
     * read first and the deliveries after, so growing deliveries can only make the check more lenient, never
     * wrongly strict. Null when the database is unreachable (a fault is in progress).
     */
    private Reconciliation reconcile(boolean partial) throws SQLException {
        List<String[]> events = new ArrayList<>();
        Set<String> dead = new HashSet<>();
        Map<String, Integer> delivered;
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            String sql = partial
                    ? "select l.event_id::text, l.kind from pgobserver.change_log l join pgobserver.checkpoints k "
                    + "on k.consumer = '" + CONSUMER + "' where (l.txid, l.id) <= (k.txid, k.\"offset\")"
                    : "select event_id::text, kind from pgobserver.change_log";
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    events.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            delivered = hooks.delivered();
            try (ResultSet rs = s.executeQuery("select event_id, observer from pgobserver.dead_letters")) {
                while (rs.next()) {
                    dead.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        } catch (SQLException e) {
            if (partial) {
                return null;
            }
            throw e;
        }
        int pairs = 0;
        int ok = 0;
        int deadLettered = 0;
        List<String> lost = new ArrayList<>();
        for (String[] event : events) {
            for (String observer : observersOf(event[1])) {
                pairs++;
                String pair = event[0] + "." + observer;
                if (delivered.containsKey(pair + ".0")) {
                    ok++;
                } else if (dead.contains(pair)) {
                    deadLettered++;
                } else {
                    lost.add(pair);
                }
            }
        }
        return new Reconciliation(pairs, ok, deadLettered, lost.size(), lost.stream().limit(20).toList());
    }

    private long uncovered() {
        return FaultSupport.uncovered(postgres, CONSUMER);
    }

    private long countEvents() throws SQLException {
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pgobserver.change_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Path writeConfig() throws IOException {
        String yaml = """
                database:
                  url: %s
                  user: postgres
                listener:
                  consumer: %s
                  batch_size: 100
                  poll_interval: 200ms
                  checkpoint_interval: 100ms
                tracing:
                  service_name: pg-observer-faults
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  batch: { schedule_delay: 200ms, max_queue_size: 2048, max_export_batch_size: 256 }
                metrics:
                  enabled: false
                admin:
                  port: -1
                actions:
                  connect_timeout: 1s
                  read_timeout: 1s
                observers:
                  items:
                    entity: public.items
                    actions:
                      - { type: webhook, url: "%s", secret: "whsec_ZmF1bHQtc3VpdGUtc2lnbmluZy1rZXk=", timeout: 1s }
                    retry: { max_attempts: 10, initial_backoff: 50ms, max_backoff: 1s }
                  ratio:
                    entity: public.items
                    on: [updated]
                    condition: "after.n / after.d >= 0"
                    actions:
                      - { type: webhook, url: "%s", timeout: 1s }
                    retry: { max_attempts: 10, initial_backoff: 50ms, max_backoff: 1s }
                """.formatted(postgres.jdbcUrl(), CONSUMER, traces.endpoint(), hooks.url("/hooks/items"),
                hooks.url("/hooks/ratio"));
        Path file = work.resolve("pg-observer.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * Streams row changes in small transactions: inserts, some updates (one in twelve with {@code d = 0}, which
     * makes the 'ratio' condition fail: a dead letter), one row in fifty a poison row the webhook refuses, a
     * third of the transactions inside a client trace. Errors (PostgreSQL down, session cut) are retried on a
     * new connection; the change_log is the truth of what was written.
     */
    static final class Writer implements Runnable {
        private final FaultSupport.Postgres postgres;
        private final Random random;
        volatile boolean stop;
        final AtomicLong committedTx = new AtomicLong();
        final AtomicLong committedEvents = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        Writer(FaultSupport.Postgres postgres, Random random) {
            this.postgres = postgres;
            this.random = random;
        }

        @Override
        public void run() {
            Connection c = null;
            long maxId = 0;
            while (!stop) {
                try {
                    if (c == null) {
                        c = postgres.connect("faults-writer");
                        c.setAutoCommit(false);
                    }
                    int events = 0;
                    if (random.nextInt(3) == 0) {
                        try (Statement s = c.createStatement()) {
                            s.execute("set local pgobserver.traceparent = '" + traceparent() + "'");
                        }
                    }
                    try (PreparedStatement insert = c.prepareStatement(
                            "insert into public.items (n, d, poison) values (?, ?, ?) returning id")) {
                        for (int i = 1 + random.nextInt(3); i > 0; i--) {
                            insert.setInt(1, random.nextInt(1_000));
                            insert.setInt(2, 1 + random.nextInt(9));
                            insert.setBoolean(3, random.nextInt(50) == 0);
                            try (ResultSet rs = insert.executeQuery()) {
                                rs.next();
                                maxId = Math.max(maxId, rs.getLong(1));
                            }
                            events++;
                        }
                    }
                    if (maxId > 0 && random.nextInt(3) == 0) {
                        try (PreparedStatement update = c.prepareStatement(
                                "update public.items set n = n + 1, d = ? where id = ?")) {
                            update.setInt(1, random.nextInt(12) == 0 ? 0 : 1 + random.nextInt(9));
                            update.setLong(2, 1 + (long) random.nextInt((int) Math.min(maxId, Integer.MAX_VALUE)));
                            events += update.executeUpdate();
                        }
                    }
                    c.commit();
                    committedTx.incrementAndGet();
                    committedEvents.addAndGet(events);
                } catch (SQLException e) {
                    failures.incrementAndGet();
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // already broken
                    }
                    c = null;
                    sleep(200);
                }
                sleep(60);
            }
            try {
                if (c != null) {
                    c.close();
                }
            } catch (SQLException ignored) {
                // closing at the end
            }
        }

        private String traceparent() {
            byte[] trace = new byte[16];
            byte[] span = new byte[8];
            random.nextBytes(trace);
            random.nextBytes(span);
            trace[0] |= 1;
            span[0] |= 1;
            return "00-" + HexFormat.of().formatHex(trace) + "-" + HexFormat.of().formatHex(span) + "-01";
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
