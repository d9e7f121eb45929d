package io.pgobserver.bootstrap.faults;

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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ten SIGKILLs at random moments of the observer's work, each followed by a restart, while a writer streams rows
 * and one entity keeps failing (its webhook answers 503 until the end, so its events retry and every event after
 * its first is finished long before the position can pass it): nothing is lost, and each kill repeats at most the
 * actions that were in flight. With one webhook action per event and {@code listener.max_in_flight: 16}, that is
 * at most 16 repeated deliveries (2xx answers for a {@code webhook-id} already answered 2xx) per kill.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillNineIT {

    private static final int KILLS = 10;
    private static final int MAX_IN_FLIGHT = 16;
    /** The row whose webhook fails until the end. */
    private static final String STUCK = "7";

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("kill-nine", FaultSupport.Writer.TABLE_DDL);
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kill_nine_repeats_at_most_the_actions_in_flight_and_loses_nothing() throws Exception {
        var config = rig.config("items.yaml", "kill-nine", -1, "max_in_flight: " + MAX_IN_FLIGHT + "\nbatch_size: 100",
                """
                items:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 500ms }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        Random random = new Random(seed);
        FaultSupport.Writer writer = new FaultSupport.Writer(rig.postgres, new Random(random.nextLong()), 20).start();
        rig.hooks.script(r -> r.entityId().equals(STUCK), WebhookReceiver.Answer.UNAVAILABLE_503);
        ObserverProcess observer = rig.run("items-0", config, Map.of());

        // Repeats show up right after the restart that follows a kill: those seen before the next kill are its.
        List<Long> repeatedPerKill = new ArrayList<>();
        long before = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            rig.awaitDeliveries(50 + random.nextInt(400));
            rig.assertRunning(observer);
            long now = rig.hooks.duplicates();
            if (kill > 1) {
                repeatedPerKill.add(now - before);
            }
            before = now;
            observer.kill();
            observer = rig.run("items-" + kill, config, Map.of());
        }
        rig.awaitDeliveries(200);
        writer.stop();
        rig.hooks.unscript();
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(observer, rows, "/hooks/items", Duration.ofMinutes(2));
        Thread.sleep(1_000); // late repeats, if any, count too
        repeatedPerKill.add(rig.hooks.duplicates() - before);
        rig.assertRunning(observer);

        long total = repeatedPerKill.stream().mapToLong(Long::longValue).sum();
        System.out.printf("KillNineIT (seed %d): %d events, %d kill -9s; repeated deliveries per kill %s (total %d); "
                        + "bound per kill = max_in_flight %d x 1 action = %d; lost 0%n", seed, rows.size(), KILLS,
                repeatedPerKill, total, MAX_IN_FLIGHT, MAX_IN_FLIGHT);
        assertThat(repeatedPerKill).as("repeated deliveries per kill (seed %d; log in %s)", seed, rig.log)
                .allMatch(n -> n <= MAX_IN_FLIGHT);
        assertThat(total).isLessThanOrEqualTo((long) KILLS * MAX_IN_FLIGHT);
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }
}
