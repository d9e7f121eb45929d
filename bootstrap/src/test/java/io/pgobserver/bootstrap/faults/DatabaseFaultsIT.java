package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgobserver.bootstrap.faults.FaultSupport.Postgres.Shutdown;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Database faults never end {@code run}: PostgreSQL restarted three times (fast, immediate, fast), every session
 * terminated twice, and the whole server frozen for 20 s (SIGSTOP: it answers nothing, as an old primary cut off by the
 * network) while a writer streams rows. The observer process must stay up throughout, report unready on
 * {@code /health/ready} (503) while it cannot read the stream and ready (200) once it can, and deliver every event.
 * Frozen, it must stop dispatching once its lease (3 s) runs out, not once the lock check's socket gives up (60 s).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseFaultsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Longer than a lease (3 s) and a lease check: a process ready this long knows its role. */
    private static final Duration SETTLED = Duration.ofSeconds(4);
    /** How long PostgreSQL stays down in the last fault. */
    private static final Duration STOPPED = Duration.ofSeconds(Long.getLong("faults.stopped-seconds", 30));
    /** How long PostgreSQL stays frozen: several leases, and less than the lock session's 60 s socket timeout. */
    private static final Duration FROZEN = Duration.ofSeconds(20);
    /** A lease (3 s), the check that finds it gone, and room for a loaded machine; before, no stop came in 20 s. */
    private static final Duration STOPS_WITHIN = Duration.ofSeconds(12);
    private static final String STOPPING = "stopping dispatch at once";
    /** One webhook action per event: a fault repeats at most this many deliveries. */
    private static final int MAX_IN_FLIGHT = 256;

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;
    private Readiness readiness;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("database-faults", FaultSupport.Writer.TABLE_DDL);
    }

    @AfterAll
    void stop() throws Exception {
        if (readiness != null) {
            readiness.stop();
        }
        rig.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void restarts_and_terminated_sessions_never_end_run_and_lose_nothing() throws Exception {
        int adminPort = FaultSupport.freePort();
        var config = rig.config("items.yaml", "database-faults", adminPort, "max_in_flight: " + MAX_IN_FLIGHT, """
                items:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 50ms, max_backoff: 500ms }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        ObserverProcess observer = rig.run("items", config, Map.of());
        readiness = Readiness.watch(adminPort);
        await("/health/ready 200", Duration.ofMinutes(2), () -> readiness.last() == 200);
        Random random = new Random(seed);
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(random.nextLong()), 5).start();

        List<String> faults = new ArrayList<>();
        List<Long> repeats = new ArrayList<>();
        long duplicatesBefore = rig.hooks.duplicates();
        for (Object fault : List.of(Shutdown.FAST, "terminate", "freeze", Shutdown.IMMEDIATE, "terminate",
                Shutdown.FAST)) {
            int delivered = rig.hooks.successes().size();
            rig.awaitWhileRunning(observer, "deliveries before the next fault", Duration.ofMinutes(1),
                    () -> rig.hooks.successes().size() > delivered + 20);
            // Settled first: after the previous fault the process may still be finding out that its lock session
            // died (the lease is checked every half second) and be unready again; a restart then would hide in that
            // unready spell instead of showing a 503 of its own.
            rig.awaitWhileRunning(observer, "/health/ready 200 for " + SETTLED.toSeconds() + " s before the next fault",
                    Duration.ofMinutes(1), () -> readiness.readyFor(SETTLED));
            Thread.sleep(random.nextInt(1_000));
            int mark = readiness.mark();
            if (fault instanceof Shutdown shutdown) {
                String restartedAt = java.time.LocalTime.now().toString();
                rig.postgres.restart(shutdown);
                faults.add("restart -m " + shutdown.name().toLowerCase(java.util.Locale.ROOT));
                try {
                    rig.awaitWhileRunning(observer, "/health/ready 503 then 200 after the " + shutdown + " restart",
                            Duration.ofMinutes(1), () -> readiness.unreadyThenReady(mark));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; /health/ready answers since the restart: "
                            + readiness.transitions().subList(mark, readiness.mark()) + " (all, with their times: "
                            + readiness.times() + "; restart at " + restartedAt + "), deliveries "
                            + rig.hooks.successes().size() + " (" + delivered + " before the restart)", e);
                }
            } else if ("freeze".equals(fault)) {
                faults.add(freeze(observer, adminPort, mark));
            } else {
                int terminated = FaultSupport.terminateAllSessions(rig.postgres);
                faults.add("terminated " + terminated + " sessions");
                // Reconnecting can take less than a poll of the probe: only ready-again and delivering is required.
                int after = rig.hooks.successes().size();
                rig.awaitWhileRunning(observer, "deliveries and /health/ready 200 after the sessions were terminated",
                        Duration.ofMinutes(1),
                        () -> rig.hooks.successes().size() > after + 20 && readiness.last() == 200);
            }
            rig.assertRunning(observer);
            // Repeats show up while it recovers: those seen before the next fault are this one's.
            repeats.add(rig.hooks.duplicates() - duplicatesBefore);
            duplicatesBefore = rig.hooks.duplicates();
        }

        // PostgreSQL stopped for 30 s with every place taken by a request the receiver holds open, then SIGKILL: the
        // held requests are answered 2xx while their delivery records cannot be written, and nothing new may start.
        // Well under the rig's 2 s read timeout: a request the observer gave up on would still be answered 2xx by the
        // receiver, and its retry counted as a second delivery the observer never saw.
        rig.hooks.hold(Duration.ofSeconds(1));
        rig.awaitWhileRunning(observer, MAX_IN_FLIGHT + " requests open at once", Duration.ofMinutes(1),
                () -> rig.hooks.openRequests() >= MAX_IN_FLIGHT);
        long beforeOutage = rig.hooks.duplicates();
        int outageMark = rig.hooks.successes().size();
        rig.postgres.stop(Shutdown.FAST);
        Thread.sleep(STOPPED.toMillis());
        rig.assertRunning(observer);
        observer.kill();
        rig.postgres.start();
        rig.hooks.hold(Duration.ZERO);
        observer = rig.run("items-after-kill", config, Map.of());
        faults.add("stopped " + STOPPED.toSeconds() + " s with " + MAX_IN_FLIGHT + " in flight, then kill -9");

        writer.stop();
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(observer, rows, "/hooks/items", Duration.ofMinutes(2));
        rig.assertRunning(observer);
        Thread.sleep(1_000); // late repeats, if any, count too
        // The previous fault's recovery may still be running when every place is taken again: a repeat of a delivery
        // first answered before the mark is that fault's. The outage's are the repeats of what was answered after it.
        long outageRepeats = repeatsOfDeliveriesAfter(rig.hooks.successes(), outageMark);
        long carriedOver = rig.hooks.duplicates() - beforeOutage - outageRepeats;
        repeats.set(repeats.size() - 1, repeats.getLast() + carriedOver);
        repeats.add(outageRepeats);
        System.out.printf("DatabaseFaultsIT (seed %d): %s; %d events (%d writes failed under the faults), "
                        + "lost 0; repeated deliveries per fault %s against a bound of %d (max_in_flight x 1 action); "
                        + "/health/ready answers: %s%n", seed, faults, rows.size(), writer.failures.get(), repeats,
                MAX_IN_FLIGHT, readiness.transitions());
        assertThat(rows.size()).as("events written").isGreaterThan(200);
        // The last fault is measured alone: repeats of what was first answered after a mark taken with every place
        // held. The earlier ones are told apart by time only (a repeat of one may arrive after the next fault's
        // mark), so for them the bound is checked on their sum. (One CI run counted 258 by time for the last fault,
        // against 256 places: the fast restart before it was still being recovered from when the mark was taken.)
        assertThat(repeats.getLast()).as("repeats of the 30 s stop and kill -9 (seed %d; log in %s)", seed, rig.log)
                .isLessThanOrEqualTo(MAX_IN_FLIGHT);
        assertThat(repeats.stream().mapToLong(Long::longValue).sum())
                .as("repeats over %d faults %s (seed %d; log in %s)", repeats.size(), repeats, seed, rig.log)
                .isLessThanOrEqualTo((long) repeats.size() * MAX_IN_FLIGHT);
        // The writer's last transaction may have died with the server after the observer's last batch, leaving ids
        // drawn and never committed at the end of the log; an insert rolled back now, with the observer caught up
        // and idle, does the same for certain.
        try (java.sql.Connection c = rig.postgres.connect("rolled-back-writer")) {
            c.setAutoCommit(false);
            c.createStatement().execute("insert into public.items (n, d) values (1, 1)");
            c.rollback();
        }
        // What an operator sees afterwards: the consumer active, nothing left to handle.
        JsonNode status = status(config);
        assertThat(status).as("status --json exits 0 with one object").isNotNull();
        assertThat(status.path("active").asBoolean()).as("status --json: %s", status).isTrue();
        // Nothing is left to read: the ids the rolled-back insert drew must not show as a lag that never clears.
        JsonNode[] seen = {status};
        try {
            rig.awaitWhileRunning(observer, "status --json to show no lag", Duration.ofSeconds(30), () -> {
                seen[0] = status(config);
                return seen[0] != null && seen[0].path("lag").path("events").asLong(-1) == 0;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; status --json last printed " + seen[0] + " (log in "
                    + rig.log + ")", e);
        }
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    /**
     * Freezes PostgreSQL for {@link #FROZEN}: within {@link #STOPS_WITHIN} the process must say it stops dispatching
     * and answer 503, and once it has, start no delivery until the thaw; after it, be ready and deliver again, with
     * no restart. Returns what it saw, for the summary.
     */
    private String freeze(ObserverProcess observer, int adminPort, int mark) throws Exception {
        long stopsBefore = observer.count(STOPPING);
        long frozenAt = System.nanoTime();
        boolean stoppedInTime;
        long stoppedMillis;
        String answer;
        String linesWhileFrozen;
        int deliveredWhileFrozen;
        rig.postgres.freeze(true);
        try {
            stoppedInTime = FaultSupport.eventually(STOPS_WITHIN,
                    () -> observer.count(STOPPING) > stopsBefore && readiness.last() == 503);
            rig.assertRunning(observer);
            stoppedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
            answer = FaultSupport.httpBody(adminPort, "/health/ready");
            Thread.sleep(1_000); // a request already on the wire when the lease ran out ends (the receiver is quick)
            int stopped = rig.hooks.successes().size();
            Thread.sleep(Math.max(0, FROZEN.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt)));
            deliveredWhileFrozen = rig.hooks.successes().size() - stopped;
            linesWhileFrozen = observer.lastLines(12);
        } finally {
            rig.postgres.freeze(false);
        }
        int thawed = rig.hooks.successes().size();
        rig.awaitWhileRunning(observer, "/health/ready 200 and deliveries after the thaw", Duration.ofMinutes(1),
                () -> readiness.unreadyThenReady(mark) && rig.hooks.successes().size() > thawed + 20);
        assertThat(stoppedInTime).as("'%s' and /health/ready 503 within %d s of freezing PostgreSQL; /health/ready "
                        + "answered %s (changes: %s); its last lines while frozen:%n%s", STOPPING,
                STOPS_WITHIN.toSeconds(), answer, readiness.times(), linesWhileFrozen).isTrue();
        assertThat(deliveredWhileFrozen).as("deliveries after dispatch stopped, PostgreSQL still frozen").isZero();
        return "frozen " + FROZEN.toSeconds() + " s: dispatch stopped after " + stoppedMillis + " ms, /health/ready "
                + answer;
    }

    /** Of the 2xx answers from {@code mark} on, those for a {@code webhook-id} first answered 2xx from there on too. */
    private static long repeatsOfDeliveriesAfter(List<WebhookReceiver.Request> successes, int mark) {
        Set<String> before = new HashSet<>();
        Set<String> after = new HashSet<>();
        long repeats = 0;
        for (int i = 0; i < successes.size(); i++) {
            String id = successes.get(i).header("webhook-id");
            if (i < mark) {
                before.add(id);
            } else if (!before.contains(id) && !after.add(id)) {
                repeats++;
            }
        }
        return repeats;
    }

    /** What {@code status --json} prints, or null when it does not exit 0. */
    private JsonNode status(java.nio.file.Path config) {
        try {
            ObserverProcess.Finished status = ObserverProcess.runToEnd("status", rig.log, Map.of(), "status", "--json",
                    "--config", config.toString());
            String out = status.output();
            return status.exitCode() == 0 ? JSON.readTree(out.substring(out.indexOf('{'))) : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Polls {@code /health/ready} every 50 ms, keeping each change of answer (-1: nothing answered). */
    private static final class Readiness {
        private final int port;
        private final List<Integer> answers = new ArrayList<>();
        private final List<String> times = new ArrayList<>();
        private long changedAt = System.nanoTime();
        private final Thread poller;
        private volatile boolean stop;

        private Readiness(int port) {
            this.port = port;
            this.poller = Thread.ofPlatform().daemon().name("readiness").start(this::poll);
        }

        static Readiness watch(int port) {
            return new Readiness(port);
        }

        private void poll() {
            while (!stop) {
                int status = FaultSupport.httpStatus(port, "/health/ready");
                synchronized (answers) {
                    if (answers.isEmpty() || answers.getLast() != status) {
                        answers.add(status);
                        times.add(java.time.LocalTime.now() + "=" + status);
                        changedAt = System.nanoTime();
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int last() {
            synchronized (answers) {
                return answers.isEmpty() ? 0 : answers.getLast();
            }
        }

        /** Whether the answer has been 200 for at least {@code period}. */
        boolean readyFor(Duration period) {
            synchronized (answers) {
                return !answers.isEmpty() && answers.getLast() == 200
                        && System.nanoTime() - changedAt >= period.toNanos();
            }
        }

        /** How many changes were seen so far: a mark to look after. */
        int mark() {
            synchronized (answers) {
                return answers.size();
            }
        }

        /** Since the mark: a 503, then a 200 after it, and 200 now. */
        boolean unreadyThenReady(int mark) {
            synchronized (answers) {
                List<Integer> since = answers.subList(mark, answers.size());
                int unready = since.indexOf(503);
                return unready >= 0 && since.subList(unready, since.size()).contains(200) && answers.getLast() == 200;
            }
        }

        List<String> times() {
            synchronized (answers) {
                return List.copyOf(times);
            }
        }

        List<Integer> transitions() {
            synchronized (answers) {
                return List.copyOf(answers);
            }
        }

        void stop() throws InterruptedException {
            stop = true;
            poller.join(5_000);
        }
    }
}
