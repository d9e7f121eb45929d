package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Mode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void losing_only_the_lock_session_never_lets_two_processes_work_one_entity() throws Exception {
        var config = rig.config("items.yaml", "split-brain", -1, "max_in_flight: 32", """
                items:
                  entity: public.items
                  actions:
                    - type: webhook
                      url: "%s"
                      timeout: 5s
                      headers: { x-observer-process: "${OBSERVER_PROCESS:-none}" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 400ms }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        rig.hooks.hold(Duration.ofMillis(150));
        Random random = new Random(seed);
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(random.nextLong()), 20).start();
        ObserverProcess a = rig.run("a", config, Map.of("OBSERVER_PROCESS", "a"));
        await("a delivering", Duration.ofMinutes(2), () -> lastSender().equals("a"));
        ObserverProcess b = rig.run("b", config, Map.of("OBSERVER_PROCESS", "b"));
        Thread.sleep(3_000); // b is up and on standby
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
    }

    /** The process that sent the latest request ("" before any). */
    private String lastSender() {
        List<WebhookReceiver.Request> all = rig.hooks.requests();
        return all.isEmpty() ? "" : String.valueOf(all.getLast().header("x-observer-process"));
    }
}
