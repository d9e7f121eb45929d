package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restart far behind the checkpoint: one row's receiver is down and {@code park_after} is long, so the checkpoint
 * stays before that row's event while every later row is delivered. The packaged jar is killed with SIGKILL once
 * every delivery is recorded, rows are added, and a new process re-reads everything since the checkpoint: it repeats
 * none of the delivered actions and delivers the new rows. It also prints how long the new process took to get to
 * them, from its start and from the moment it began reading again (not asserted: timings).
 *
 * <p>CI runs it with 20,000 rows; {@code -Dreread.rows=200000} reads ten times as many again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartReReadIT {

    private static final int ROWS = Integer.getInteger("reread.rows", 20_000);
    private static final int NEW_ROWS = 100;
    private static final String STUCK = "0";

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("re-read", "create table public.items (id bigint primary key, n bigint not null)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void a_restart_far_behind_the_checkpoint_repeats_nothing_delivered_and_goes_on() throws Exception {
        var config = rig.config("items.yaml", "re-read", -1,
                "max_in_flight: 16\nmax_pending: " + 2 * (ROWS + NEW_ROWS) + "\npark_after: 1h", """
                items:
                  entity: public.items
                  actions:
                    - { id: notify, type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 1s }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        rig.hooks.script(r -> r.entityId().equals(STUCK), WebhookReceiver.Answer.UNAVAILABLE_503);
        FaultSupport.sql(rig.postgres, "insert into public.items values (" + STUCK + ", 0)");
        for (int from = 1; from <= ROWS; from += 1_000) {
            FaultSupport.sql(rig.postgres, "insert into public.items select g, 0 from generate_series(" + from + ", "
                    + Math.min(from + 999, ROWS) + ") g");
        }

        ObserverProcess first = rig.run("re-read-0", config, Map.of());
        rig.awaitWhileRunning(first, ROWS + " rows delivered and recorded", Duration.ofMinutes(3), () ->
                rig.hooks.successes().size() >= ROWS && deliveryRecords() >= ROWS);
        assertThat(FaultSupport.uncovered(rig.postgres, "re-read")).as("events the checkpoint is held behind")
                .isGreaterThan(ROWS);
        first.kill();

        FaultSupport.sql(rig.postgres, "insert into public.items select g, 0 from generate_series(" + (ROWS + 1)
                + ", " + (ROWS + NEW_ROWS) + ") g");
        long started = System.nanoTime();
        ObserverProcess next = rig.run("re-read-1", config, Map.of());
        // It logs the re-read when it starts it: after the JVM's start and the killed holder's lease.
        rig.awaitWhileRunning(next, "the term resumed", Duration.ofMinutes(1), () ->
                next.output().contains("re-reading"));
        long resumed = System.nanoTime();
        rig.awaitWhileRunning(next, "the new rows delivered", Duration.ofMinutes(3), () ->
                rig.hooks.successes().size() >= ROWS + NEW_ROWS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        long reading = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumed);

        assertThat(rig.hooks.duplicates()).as("delivered actions repeated after the restart").isZero();
        assertThat(rig.undelivered(FaultSupport.changeLog(rig.postgres), "/hooks/items"))
                .as("only the stuck row waits").hasSize(1);
        System.out.printf("RestartReReadIT: %d events read again after a kill -9 (the checkpoint held back by a stuck "
                + "row); the %d new rows delivered %d ms after the new process started, %d ms after it resumed "
                + "(past its start and a 3 s lease wait; polled every 100 ms); 0 repeated%n", ROWS + 1, NEW_ROWS,
                millis, reading);
        assertThat(next.stop()).as("exit code after SIGTERM").isZero();
    }

    private long deliveryRecords() {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.deliveries");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
