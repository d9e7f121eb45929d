package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end fault suite (the guarantees of docs/reliability.md): the packaged jar runs as two child
 * processes sharing one consumer (one active, one standby) against an embedded PostgreSQL, a scriptable webhook
 * target and an OTLP/HTTP trace backend, while a writer streams row changes. Faults are injected one after
 * another at random moments: SIGKILL of the active observer (the standby takes over), SIGKILL of both, PostgreSQL
 * restarted, the observer's sessions terminated, the webhook answering 5xx / 429 / too late / with resets / with
 * trickling bodies, the trace backend down or stalling.
 *
 * <p>Between faults, and at the end, the suite reconciles every action of every event: each (event, observer,
 * action) at or before the saved checkpoint was answered 2xx by the webhook target (found by the body's
 * {@code event_id} and the action's own path) or is in {@code dead_letters}. At the end the checkpoint must cover
 * the whole stream and nothing may be lost; the actions delivered twice must stay within what could have been in
 * flight at the faults that stopped a process or its sessions; and no observer may have exited unless the suite
 * killed it. The figures are printed and written to {@code target/fault-suite-figures.txt}.
 */
class FaultSuiteIT {

    private static final String CONSUMER = "faults";
    private static final String ACTIVE = "consumer '" + CONSUMER + "' active";
    private static final String STARTED = "observer(s)";
    /** Printed when this process takes the consumer's lock, and when its term ends at once (lock lost, fenced). */
    private static final String LOCK_TAKEN = "now the active listener for consumer '" + CONSUMER + "'";
    private static final String LOCK_LOST = "dispatching nothing more, standing by";
    /** listener.max_in_flight: events in flight at once, which bounds what a fault can make run twice. */
    private static final int MAX_IN_FLIGHT = 32;
    /** The most actions one event has: 'items' has two, 'ratio' one more on updates. */
    private static final int ACTIONS_PER_EVENT = 3;

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<String, Integer> faults = new LinkedHashMap<>();
    private final List<ObserverProcess> observers = new ArrayList<>();
    private final List<Long> takeoverMillis = new ArrayList<>();
    /** Faults that end a process or cut its sessions: each may repeat the actions in flight at that moment. */
    private int interruptions;
    private Path work;
    private Path config;
    private Path log;
    private int checks;

    private FaultSupport.Postgres postgres;
    private WebhookReceiver hooks;
    private TraceBackend traces;
    private FaultSupport.Writer writer;

    @AfterEach
    void tearDown() throws Exception {
        if (writer != null) {
            writer.stop();
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
        hooks.keepRequests();
        // A permanent refusal for some rows: those must end in dead_letters, not be retried for ever.
        hooks.rejectWhen(r -> r.bodyText().contains("\"poison\": true") || r.bodyText().contains("\"poison\":true"));
        traces = TraceBackend.start();
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            s.execute(FaultSupport.Writer.TABLE_DDL);
        }
        config = writeConfig();

        ObserverProcess a = startObserver("observer-a");
        ObserverProcess b = startObserver("observer-b");
        await("an active observer", Duration.ofMinutes(2), () -> a.lastLine(ACTIVE) > 0 || b.lastLine(ACTIVE) > 0);
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement()) {
            s.execute("create trigger pgobserver_capture after insert or update or delete on public.items "
                    + "for each row execute function pgobserver.capture('id')");
        }

        writer = new FaultSupport.Writer(postgres, new Random(random.nextLong()), 60).start();

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

        writer.stop();
        hooks.mode(Mode.OK);
        traces.up();

        await("the checkpoint to cover every event", Duration.ofMinutes(3), () -> uncovered() == 0);
        Reconciliation end = reconcile(false);
        checks++;
        long events = countEvents();
        long duplicates = hooks.duplicates();
        long duplicateBound = (long) interruptions * MAX_IN_FLIGHT * ACTIONS_PER_EVENT;
        int faultCount = faults.values().stream().mapToInt(Integer::intValue).sum();

        StringBuilder figures = new StringBuilder();
        figures.append("pg-observer fault suite (seed ").append(seed).append(")\n");
        figures.append(String.format("  events sent (change_log rows): %d  (writer committed %d in %d transactions, "
                + "%d writes failed under faults)%n", events, writer.committedEvents.get(), writer.committedTx.get(),
                writer.failures.get()));
        figures.append(String.format("  faults injected:               %d%n", faultCount));
        faults.forEach((name, n) -> figures.append(String.format("      %-52s %d%n", name, n)));
        figures.append(String.format("  standby takeovers after SIGKILL: %s ms%n", takeoverMillis));
        figures.append(String.format("  (event, observer, action):     %d%n", end.pairs()));
        figures.append(String.format("  delivered (2xx, by event_id and path): %d%n", end.delivered()));
        figures.append(String.format("  dead-lettered:                 %d%n", end.deadLettered()));
        figures.append(String.format("  lost:                          %d%n", end.lost()));
        figures.append(String.format("  duplicates (extra 2xx per webhook-id): %d; bound %d = %d interruptions x "
                + "max_in_flight %d x %d actions per event%n", duplicates, duplicateBound, interruptions, MAX_IN_FLIGHT,
                ACTIONS_PER_EVENT));
        figures.append(String.format("  webhook requests: %d, answered with a fault: %d, refused 422: %d%n",
                hooks.requestCount(), hooks.faultedCount(), hooks.rejectedCount()));
        figures.append(String.format("  OTLP exports accepted: %d (held while stalling: %d)%n", traces.exportCount(),
                traces.stalledCount()));
        figures.append(String.format("  checkpoint consistency checks passed: %d%n", checks));
        System.out.print(figures);
        Files.writeString(Path.of("target", "fault-suite-figures.txt"), figures);

        assertThat(end.lostSamples()).as("lost (event observer action path); seed %d; observer logs in %s", seed, log)
                .isEmpty();
        assertThat(end.lost()).isZero();
        assertThat(duplicates).as("actions delivered twice, at most those in flight at each interruption (seed %d)",
                seed).isLessThanOrEqualTo(duplicateBound);
        assertNoUnexpectedExit();
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

    /**
     * Between faults: normal running again (the webhook answering 2xx and the checkpoint saved further, seen after
     * the fault), then a random while more, then the checkpoint is checked against deliveries. Waiting for the
     * recovery itself rather than a fixed 1.5 to 3.5 s: a fault still comes at a random moment of normal work,
     * never before the previous one has been recovered from, and without idle seconds in between.
     */
    private void pause() throws Exception {
        int delivered = hooks.successes().size();
        String checkpoint = checkpoint();
        await("normal running after the fault: 20 more deliveries and the checkpoint saved further",
                Duration.ofMinutes(2), () -> hooks.successes().size() >= delivered + 20
                        && !Objects.equals(checkpoint(), checkpoint));
        Thread.sleep(random.nextInt(1_000));
        assertNoUnexpectedExit();
        checkConsistency();
    }

    /** The consumer's saved checkpoint as "batch/after_id"; null before the first save or while unreachable. */
    private String checkpoint() {
        try (Connection c = postgres.connect("faults-admin"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select batch || '/' || after_id from pgobserver.checkpoints "
                     + "where consumer = '" + CONSUMER + "'")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** Every observer the suite did not kill is still running: database and webhook faults never end {@code run}. */
    private void assertNoUnexpectedExit() {
        for (ObserverProcess observer : observers) {
            assertThat(observer.isAlive()).as("%s exited by itself (the suite did not kill it; seed %d); output:%n%s",
                    observer.name(), seed, observer.output()).isTrue();
        }
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

    /**
     * The active observer, once leadership has settled: the live process that took the consumer's lock last, has
     * started its term since (a new holder waits one lease first) and has not lost the lock again. Right after a
     * fault that cut sessions, the lock may be changing hands for a few seconds; killing "the process that was
     * active a moment ago" then kills the standby.
     */
    private ObserverProcess active() throws InterruptedException {
        await("a settled active observer", Duration.ofMinutes(2), () -> settledLeader() != null);
        return settledLeader();
    }

    private ObserverProcess settledLeader() {
        ObserverProcess latest = null;
        long taken = -1;
        for (ObserverProcess o : observers) {
            long line = o.isAlive() ? o.lastLine(LOCK_TAKEN) : -1;
            if (line > taken) {
                latest = o;
                taken = line;
            }
        }
        if (latest == null || latest.lastLine(ACTIVE) < taken || latest.lastLine(LOCK_LOST) > taken) {
            return null;
        }
        return latest;
    }

    /** SIGKILL of the active observer at a random moment of its work; the standby must take over. */
    private void killActive() throws Exception {
        ObserverProcess victim = active();
        Thread.sleep(random.nextInt(700));
        while (settledLeader() != victim) {
            victim = active(); // the lock changed hands meanwhile: kill the process that holds it now
        }
        long before = observers.stream().mapToLong(o -> o.lastLine(ACTIVE)).max().orElse(-1);
        long killedAt = System.nanoTime();
        ObserverProcess killed = victim;
        killed.kill();
        interruptions++;
        fault("SIGKILL of the active observer");
        await("the standby to take over", Duration.ofMinutes(2), () -> observers.stream()
                .anyMatch(o -> o != killed && o.lastLine(ACTIVE) > before));
        takeoverMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        replace(killed);
    }

    private void killBoth() throws Exception {
        List<ObserverProcess> all = List.copyOf(observers);
        for (ObserverProcess o : all) {
            o.kill();
            interruptions++;
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
        interruptions++;
        fault("observer's PostgreSQL sessions terminated (pg_terminate_backend)");
    }

    private void restartPostgres() throws IOException {
        postgres.restart();
        interruptions++;
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

    /** One action of the configuration: its observer, its place in the observer's list, the path it posts to. */
    record Action(String observer, int index, String path) {
    }

    /** Which actions an event concerns: every change goes to 'items' (two actions), updates also to 'ratio'. */
    private static List<Action> actionsOf(String kind) {
        List<Action> items = List.of(new Action("items", 0, "/hooks/items"),
                new Action("items", 1, "/hooks/items-audit"));
        if (!kind.equals("updated")) {
            return items;
        }
        List<Action> all = new ArrayList<>(items);
        all.add(new Action("ratio", 0, "/hooks/ratio"));
        return all;
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
                    ? "select l.event_id::text, l.kind from pgobserver.change_log l where "
                    + FaultSupport.coveredByCheckpoint(CONSUMER)
                    : "select event_id::text, kind from pgobserver.change_log";
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    events.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            delivered = hooks.successesBy(r -> r.eventId() + " " + r.path());
            try (ResultSet rs = s.executeQuery(
                    "select event_id, observer, action_index from pgobserver.dead_letters")) {
                while (rs.next()) {
                    dead.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3));
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
            for (Action action : actionsOf(event[1])) {
                pairs++;
                String observer = event[0] + " " + action.observer();
                if (delivered.containsKey(event[0] + " " + action.path())) {
                    ok++;
                } else if (dead.contains(observer + " " + action.index()) || dead.contains(observer + " -1")) {
                    // The action itself failed for good, or the observer's condition did (then no action ran).
                    deadLettered++;
                } else {
                    lost.add(observer + " " + action.index() + " " + action.path());
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
                  max_in_flight: %d
                tracing:
                  enabled: true
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
                      - { type: webhook, url: "%s", timeout: 1s }
                    retry: { max_attempts: 10, initial_backoff: 50ms, max_backoff: 1s }
                  ratio:
                    entity: public.items
                    on: [updated]
                    condition: "after.n / after.d >= 0"
                    actions:
                      - { type: webhook, url: "%s", timeout: 1s }
                    retry: { max_attempts: 10, initial_backoff: 50ms, max_backoff: 1s }
                """.formatted(postgres.jdbcUrl(), CONSUMER, MAX_IN_FLIGHT, traces.endpoint(), hooks.url("/hooks/items"),
                hooks.url("/hooks/items-audit"), hooks.url("/hooks/ratio"));
        Path file = work.resolve("pg-observer.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
