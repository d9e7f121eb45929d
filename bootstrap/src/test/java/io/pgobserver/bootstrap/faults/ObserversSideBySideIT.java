package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two observers of one table, the first in the file with its receiver down for most of the test (retrying for good),
 * while rows arrive as one-row transactions, more of them than {@code max_in_flight} and {@code max_pending} hold:
 * the packaged jar delivers every row to the second observer's receiver while the first one's keeps failing (one
 * observer after another, it delivered none), parks the rows for the first one, and once its receiver recovers
 * delivers them there too, without repeating a delivery of the second.
 *
 * <p>CI runs it small; {@code -Dsidebyside.rows=20000 -Dsidebyside.rate=2000} for a longer run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObserversSideBySideIT {

    private static final int ROWS = Integer.getInteger("sidebyside.rows", 2_000);
    private static final int RATE = Integer.getInteger("sidebyside.rate", 500);
    private static final int MAX_IN_FLIGHT = 8;
    private static final int MAX_PENDING = 200;

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("side-by-side",
                "create table public.items (id bigint primary key, n bigint not null)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void an_observer_whose_receiver_is_down_holds_back_no_other_observer() throws Exception {
        var config = rig.config("items.yaml", "side-by-side", -1, "max_in_flight: " + MAX_IN_FLIGHT
                + "\nmax_pending: " + MAX_PENDING + "\nbatch_size: 100\npark_after: 2s", """
                down:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 500ms }
                up:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/down"), rig.hooks.url("/hooks/up")));
        rig.install(config, "public.items");
        rig.hooks.script(r -> r.path().equals("/hooks/down"), WebhookReceiver.Answer.UNAVAILABLE_503);
        ObserverProcess observer = rig.run("side-by-side-0", config, Map.of());

        long started = System.nanoTime();
        FaultSupport.insertItems(rig.postgres, "side-by-side-writer", ROWS, RATE);
        rig.awaitWhileRunning(observer, "every row delivered to the observer whose receiver is up",
                Duration.ofSeconds(90), () -> delivered("/hooks/up").size() == ROWS);
        long upAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(delivered("/hooks/down")).as("the other receiver is still down").isEmpty();
        rig.awaitWhileRunning(observer, "the rows held back for the failing observer parked, the checkpoint past "
                + "them", Duration.ofSeconds(60), () -> parked() == ROWS
                && FaultSupport.uncovered(rig.postgres, "side-by-side") == 0);

        rig.hooks.unscript();
        rig.awaitWhileRunning(observer, "every row delivered to the recovered receiver", Duration.ofMinutes(2),
                () -> delivered("/hooks/down").size() == ROWS);
        rig.awaitWhileRunning(observer, "the parked queue emptied", Duration.ofSeconds(30), () -> parked() == 0);
        Map<String, Long> upTimes = delivered("/hooks/up");
        long repeated = upTimes.values().stream().filter(count -> count > 1).count();
        System.out.printf("ObserversSideBySideIT: %d one-row transactions at ~%d/s (max_in_flight %d, max_pending "
                        + "%d); every row delivered to the receiver that was up %d ms after the first write while "
                        + "the other answered 503; %d rows parked for it, all delivered after it recovered; "
                        + "%d rows delivered twice to the one that was up%n", ROWS, RATE, MAX_IN_FLIGHT, MAX_PENDING, upAfter,
                ROWS, repeated);
        assertThat(repeated).as("rows delivered again to the receiver that was up (the parked runs skip what was "
                + "delivered)").isZero();
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    /** How many 2xx each row's event got at {@code path}, by event id. */
    private Map<String, Long> delivered(String path) {
        return rig.hooks.successes().stream().filter(r -> r.path().equals(path))
                .collect(Collectors.groupingBy(WebhookReceiver.Request::eventId, Collectors.counting()));
    }

    private long parked() {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.parked_events");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }
}
