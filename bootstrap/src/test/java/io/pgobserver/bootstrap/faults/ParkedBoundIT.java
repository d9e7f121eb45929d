package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A receiver down for every row, each row new (one-row inserts, as an orders table gets them): every row is stuck,
 * and each parked row is held in memory. With {@code listener.max_parked: 25} the packaged jar parks 25 rows and no
 * more, holds the stream back behind the next stuck row and says why, then, once the receiver recovers, delivers
 * every row and empties the parked queues. The bound is sampled from the parked queues all along.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParkedBoundIT {

    private static final int ROWS = Integer.getInteger("parkedbound.rows", 600);
    private static final int RATE = 200;
    private static final int MAX_PARKED = 25;

    private FaultSupport.Rig rig;
    private final AtomicLong mostParked = new AtomicLong();

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("parked-bound",
                "create table public.items (id bigint primary key, n bigint not null)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void past_max_parked_the_stream_waits_and_nothing_is_lost() throws Exception {
        var config = rig.config("items.yaml", "parked-bound", -1, "max_in_flight: 4\nmax_pending: 50\n"
                + "batch_size: 100\npark_after: 1s\nmax_parked: " + MAX_PARKED, """
                items:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 500ms }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        rig.hooks.script(r -> true, WebhookReceiver.Answer.UNAVAILABLE_503);
        ObserverProcess observer = rig.run("parked-bound-0", config, Map.of());
        Thread sampler = Thread.ofPlatform().daemon().name("parked-sampler").start(this::sample);

        FaultSupport.insertItems(rig.postgres, "parked-bound-writer", ROWS, RATE);
        rig.awaitWhileRunning(observer, "max_parked rows parked and the stream held back, said in the log",
                Duration.ofSeconds(60), () -> parkedRows() == MAX_PARKED
                        && observer.count("(listener.max_parked), so the stream waits") > 0);
        Thread.sleep(2_000); // twenty more checks of the stuck head: none may park a row past the bound
        assertThat(parkedRows()).as("rows parked").isEqualTo(MAX_PARKED);
        assertThat(rig.hooks.successes()).as("nothing got through meanwhile").isEmpty();

        rig.hooks.unscript();
        rig.awaitWhileRunning(observer, "every row delivered once the receiver recovered", Duration.ofMinutes(2),
                () -> delivered().size() == ROWS);
        rig.awaitWhileRunning(observer, "the parked queues emptied", Duration.ofSeconds(30), () -> parkedRows() == 0);
        sampler.interrupt();
        System.out.printf("ParkedBoundIT: %d one-row inserts at ~%d/s with the receiver down, max_parked %d: at most "
                + "%d rows parked at once (sampled every 50 ms); all %d delivered after it recovered%n", ROWS, RATE,
                MAX_PARKED, mostParked.get(), delivered().size());
        assertThat(mostParked.get()).as("most rows parked at once").isLessThanOrEqualTo(MAX_PARKED);
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            mostParked.accumulateAndGet(parkedRows(), Math::max);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Rows with a parked queue (a parked row's queue is named by its entity). */
    private long parkedRows() {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(distinct queue) from pgobserver.parked_events");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    /** How many 2xx each event got, by event id. */
    private Map<String, Long> delivered() {
        return rig.hooks.successes().stream()
                .collect(Collectors.groupingBy(WebhookReceiver.Request::eventId, Collectors.counting()));
    }
}
