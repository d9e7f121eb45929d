package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fenced leadership: two processes share a consumer (one active, one standby). While the active one is busy
 * retrying a failing webhook, only the session holding its advisory lock is terminated. The standby takes over;
 * no entity may then be processed by two processes at once. The receiver holds every request a moment and records
 * each request for an entity that arrives while another for the same entity is still open; each process names
 * itself in an {@code x-observer-process} header (from its environment, through {@code ${VAR}} in the file).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the second test's held requests may overlap (the window)
class SplitBrainIT {

    private static final String LOCK_HOLDERS = "select pid from pg_locks where locktype = 'advisory' and granted "
            + "and database = (select oid from pg_database where datname = current_database())";

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("split-brain", FaultSupport.Writer.TABLE_DDL);
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Order(1)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void losing_only_the_lock_session_never_lets_two_processes_work_one_entity() throws Exception {
        var config = observersOfItems("items.yaml", "split-brain", 32, "/hooks/items");
        rig.hooks.hold(Duration.ofMillis(150));
        Random random = new Random(seed);
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(random.nextLong()), 20).start();
        ObserverProcess a = rig.run("a", config, Map.of("OBSERVER_PROCESS", "a"));
        await("a delivering", Duration.ofMinutes(2), () -> lastSender().equals("a"));
        ObserverProcess b = rig.run("b", config, Map.of("OBSERVER_PROCESS", "b"));
        rig.awaitStandby(b);
        rig.awaitDeliveries(30);

        // The active process is busy retrying: every answer is a 503 (after the hold). Then its lock session dies.
        String leader = lastSender();
        String standby = leader.equals("a") ? "b" : "a";
        List<Long> terminated = new ArrayList<>();
        boolean tookOver = false;
        for (int attempt = 0; attempt < 5 && !tookOver; attempt++) {
            rig.hooks.mode(Mode.ERROR_5XX);
            Thread.sleep(1_500 + random.nextInt(1_000));
            int mark = rig.hooks.requests().size();
            terminated.add(FaultSupport.queryLong(rig.postgres,
                    "select count(pg_terminate_backend(pid)) from (" + LOCK_HOLDERS + ") holders"));
            Thread.sleep(3_000); // the standby takes over while the old leader's retries are due
            rig.hooks.mode(Mode.OK);
            rig.awaitDeliveries(30);
            List<WebhookReceiver.Request> since = rig.hooks.requests();
            // Otherwise the old leader took its lock back first, which is fair: the fault is tried again.
            tookOver = since.subList(mark, since.size()).stream()
                    .anyMatch(r -> standby.equals(r.header("x-observer-process")));
        }
        rig.hooks.mode(Mode.OK);
        rig.awaitDeliveries(50);
        writer.stop();
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(b, rows, "/hooks/items", Duration.ofMinutes(2));
        rig.assertRunning(a);
        rig.assertRunning(b);

        List<WebhookReceiver.Overlap> overlaps = rig.hooks.overlaps();
        System.out.printf("SplitBrainIT (seed %d): leader %s, lock sessions terminated %s, standby took over: %s; "
                        + "%d events, %d requests; entities worked by two processes at once: %d %s%n", seed, leader,
                terminated, tookOver, rows.size(), rig.hooks.requestCount(), overlaps.size(),
                overlaps.stream().limit(5).toList());
        assertThat(terminated).as("the advisory lock's session was found and terminated").isNotEmpty()
                .allMatch(n -> n >= 1);
        assertThat(tookOver).as("the standby took over after the lock session died").isTrue();
        assertThat(overlaps).as("requests for one entity open at once (seed %d; log in %s)", seed, rig.log)
                .isEmpty();
        assertThat(a.stop()).isZero();
        assertThat(b.stop()).isZero();
    }

    /**
     * The one window fencing leaves is a request already on the wire. With a receiver that holds every request for
     * most of the action's timeout (4 s of 5 s), the old leader's requests are still open when it loses its lock
     * session; none it starts may come after the new leader's first one.
     */
    @Test
    @Order(2)
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void an_old_leader_starts_no_attempt_after_the_new_leader_dispatched() throws Exception {
        var config = observersOfItems("slow.yaml", "split-brain-slow", 16, "/hooks/slow");
        rig.hooks.mode(Mode.OK);
        rig.hooks.hold(Duration.ofSeconds(4));
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(seed), 20).start();
        ObserverProcess first = rig.run("slow-a", config, Map.of("OBSERVER_PROCESS", "slow-a"));
        await("slow-a delivering", Duration.ofMinutes(2), () -> lastSender("/hooks/slow").equals("slow-a"));
        ObserverProcess second = rig.run("slow-b", config, Map.of("OBSERVER_PROCESS", "slow-b"));
        rig.awaitStandby(second);
        await("requests of slow-a open", Duration.ofSeconds(30), () -> rig.hooks.openRequests() >= 8);

        int mark = rig.hooks.requests().size();
        // slow-a is frozen while its lock session dies, so that it cannot take the lock straight back (it would win
        // the race against the standby's poll most of the time), and it wakes only after slow-b leads: with its
        // requests still open, its events in memory and its lease long expired, the harshest moment to start one.
        FaultSupport.signal("STOP", first.pid());
        long terminated;
        try {
            terminated = FaultSupport.queryLong(rig.postgres, "select count(pg_terminate_backend(pid)) from ("
                    + LOCK_HOLDERS + " and pid in (select pid from pg_stat_activity where application_name like "
                    + "'%leader%')) holders");
            await("slow-b to take the lock", Duration.ofMinutes(1),
                    () -> second.count("This process is now the active listener") > 0);
        } finally {
            FaultSupport.signal("CONT", first.pid());
        }
        await("slow-b took over", Duration.ofMinutes(1), () -> rig.hooks.requestsSince(mark).stream()
                .anyMatch(r -> "slow-b".equals(r.header("x-observer-process"))));
        Thread.sleep(6_000); // anything the old leader still had would have started by now
        writer.stop();

        List<WebhookReceiver.Request> since = rig.hooks.requests();
        since = since.subList(mark, since.size()).stream().filter(r -> r.path().equals("/hooks/slow")).toList();
        int newLeaderFirst = 0;
        while (!"slow-b".equals(since.get(newLeaderFirst).header("x-observer-process"))) {
            newLeaderFirst++;
        }
        long oldLeaderAfter = since.subList(newLeaderFirst, since.size()).stream()
                .filter(r -> "slow-a".equals(r.header("x-observer-process"))).count();
        System.out.printf("SplitBrainIT (held requests, seed %d): lock sessions terminated %d; after the fault slow-a "
                        + "started %d request(s) before slow-b's first and %d after it%n", seed, terminated,
                newLeaderFirst, oldLeaderAfter);
        assertThat(terminated).as("the leader's lock session was found and terminated").isEqualTo(1);
        assertThat(oldLeaderAfter).as("requests the old leader started after the new leader's first (log in %s)",
                rig.log).isZero();
        rig.hooks.hold(Duration.ZERO);
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(second, rows, "/hooks/slow", Duration.ofMinutes(2));
        rig.assertRunning(first);
        assertThat(first.stop()).isZero();
        assertThat(second.stop()).isZero();
    }

    /**
     * A configuration of one observer posting every change of public.items to {@code path}, naming its process in
     * the {@code x-observer-process} header (from its environment, through {@code ${VAR}} in the file), installed.
     */
    private java.nio.file.Path observersOfItems(String file, String consumer, int maxInFlight, String path)
            throws Exception {
        var config = rig.config(file, consumer, -1, "max_in_flight: " + maxInFlight, """
                items:
                  entity: public.items
                  actions:
                    - type: webhook
                      url: "%s"
                      timeout: 5s
                      headers: { x-observer-process: "${OBSERVER_PROCESS:-none}" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 400ms }
                """.formatted(rig.hooks.url(path)));
        rig.install(config, "public.items");
        return config;
    }

    /** The process that sent the latest request ("" before any). */
    private String lastSender() {
        List<WebhookReceiver.Request> all = rig.hooks.requests();
        return all.isEmpty() ? "" : String.valueOf(all.getLast().header("x-observer-process"));
    }

    /** The process that sent the latest request to {@code path} ("" before any). */
    private String lastSender(String path) {
        List<WebhookReceiver.Request> all = rig.hooks.requests().stream().filter(r -> r.path().equals(path)).toList();
        return all.isEmpty() ? "" : String.valueOf(all.getLast().header("x-observer-process"));
    }
}
