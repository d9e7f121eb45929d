package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
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
                "create table public.items (id bigint primary key, n bigint not null)",
                "create table public.paced (id bigint primary key, n bigint not null)");
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

    /**
     * A receiver that answers every request, slowly ({@code SLOW_MS}), for observer {@code a}, and a fast one for
     * {@code b}, both on one table, rows written faster than max_in_flight / SLOW_MS (8 / 0.5 s) as one-row
     * transactions: four processes side by side, each with its own consumer, so each sees every row. {@code shared}
     * runs a (slow) and b; {@code fast} runs a (fast) and b; {@code a-own} and {@code b-own} run one observer each:
     * the isolation a user has. b shares each event's place with a, so in {@code shared} it goes at a's pace; on
     * its own consumer it does not. Nothing is parked for a receiver that answers (park_after 2s, a queue of 64
     * behind 8 places: some 4 s in line), and a SIGTERM with 8 slow requests on the wire that time out says it left
     * those 8 events. Prints rates and latencies; ~25 s in CI (four JVMs start at once). For the figures in
     * docs/troubleshooting.md, one run per column: {@code -Dpaced.rows=400 -Dpaced.slow_ms=1000}, with
     * {@code -Dpaced.max_in_flight=8} (the default), then {@code 32} (max_pending is 8 times max_in_flight).
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void a_slow_receiver_paces_the_observers_of_its_consumer_only_and_parks_nothing() throws Exception {
        int rows = Integer.getInteger("paced.rows", 120);
        int slowMs = Integer.getInteger("paced.slow_ms", 500);
        int inFlight = Integer.getInteger("paced.max_in_flight", 8);
        try (WebhookReceiver slow = WebhookReceiver.start()) {
            slow.keepRequests();
            slow.hold(Duration.ofMillis(slowMs));
            String listener = "max_in_flight: " + inFlight + "\nmax_pending: " + 8 * inFlight
                    + "\nbatch_size: 100\npark_after: 2s";
            String a = "a:\n  entity: public.paced\n  actions:\n    - { type: webhook, url: \"%s\" }\n";
            String b = "b:\n  entity: public.paced\n  actions:\n    - { type: webhook, url: \"%s\" }\n";
            var shared = rig.config("paced-shared.yaml", "paced-shared", -1, listener,
                    a.formatted(slow.url("/a/shared")) + b.formatted(rig.hooks.url("/b/shared")));
            var fast = rig.config("paced-fast.yaml", "paced-fast", -1, listener,
                    a.formatted(rig.hooks.url("/a/fast")) + b.formatted(rig.hooks.url("/b/fast")));
            var aOwn = rig.config("paced-a.yaml", "paced-a", -1, listener, a.formatted(slow.url("/a/own")));
            var bOwn = rig.config("paced-b.yaml", "paced-b", -1, listener, b.formatted(rig.hooks.url("/b/own")));
            rig.install(shared, "public.paced");
            Map<String, ObserverProcess> processes = new java.util.LinkedHashMap<>();
            processes.put("shared", rig.run("paced-shared", shared, Map.of()));
            processes.put("fast", rig.run("paced-fast", fast, Map.of()));
            processes.put("a-own", rig.run("paced-a", aOwn, Map.of()));
            processes.put("b-own", rig.run("paced-b", bOwn, Map.of()));
            for (ObserverProcess process : processes.values()) {
                rig.awaitWhileRunning(process, process.name() + " leading its consumer", Duration.ofMinutes(1),
                        () -> process.count("is now the active listener") > 0);
            }
            FaultSupport.insertRows(rig.postgres, "paced-writer", "public.paced", 1, rows, 200);
            List<String> paths = List.of("/b/own", "/b/fast", "/b/shared", "/a/fast", "/a/own", "/a/shared");
            for (String path : paths) {
                WebhookReceiver receiver = path.startsWith("/a/") && !path.equals("/a/fast") ? slow : rig.hooks;
                rig.awaitWhileRunning(processes.get("shared"), "every row delivered at " + path,
                        Duration.ofMinutes(2), () -> answered(receiver, path).size() == rows);
                assertThat(answered(receiver, path).stream().map(WebhookReceiver.Request::eventId).distinct())
                        .as("rows delivered at " + path + ", each once").hasSize(rows);
                System.out.println("ObserversSideBySideIT: " + rows + " rows at 200/s, max_in_flight " + inFlight
                        + ", max_pending " + 8 * inFlight + ", a's slow receiver " + slowMs + " ms: " + path + " "
                        + pace(receiver, path));
            }
            assertThat(last(rig.hooks, "/b/own")).as("b on a consumer of its own is done before b beside the "
                    + "slow a, whose events hold their places until a's answers").isLessThan(last(rig.hooks,
                    "/b/shared"));
            assertThat(processes.get("shared").count("holds back the checkpoint"))
                    .as("rows parked although a's receiver answered every request").isZero();
            for (String name : List.of("fast", "a-own", "b-own")) {
                assertThat(processes.get(name).stop()).as(name + "'s exit code after SIGTERM").isZero();
            }

            // Eight requests on the wire that no answer will end before the read timeout (2 s), within the stop's
            // time (--shutdown-timeout 10s): the stop waits for them, retries none, and says they were left; it
            // said "stopped cleanly", as if they were done.
            slow.holdUntilReleased(r -> true);
            FaultSupport.insertRows(rig.postgres, "paced-writer", "public.paced", rows + 1, 2 * inFlight + 4, 200);
            ObserverProcess stopped = processes.get("shared");
            rig.awaitWhileRunning(stopped, inFlight + " requests held open", Duration.ofMinutes(1),
                    () -> slow.openRequests() == inFlight);
            // A signal, not Process.destroy(): that closes the pipe, and the stop's own lines would be lost.
            FaultSupport.signal("TERM", stopped.pid());
            assertThat(stopped.waitFor(60)).as("exit code after SIGTERM").isZero();
            slow.release();
            assertThat(stopped.output()).as("what the stop left")
                    .contains("stopped with " + inFlight + " events not done (an attempt failed, and a stop retries "
                            + "nothing), left for the next holder, and released");
        }
    }

    /** The requests answered 2xx at {@code path}. */
    private static List<WebhookReceiver.Request> answered(WebhookReceiver receiver, String path) {
        return receiver.successes().stream().filter(r -> r.path().equals(path)).toList();
    }

    private static long last(WebhookReceiver receiver, String path) {
        return answered(receiver, path).stream().mapToLong(receiver::answeredAt).max().orElseThrow();
    }

    /** Rows a second from the first row's commit to the last delivery; commit-to-delivery p50 and p99. */
    private static String pace(WebhookReceiver receiver, String path) {
        List<WebhookReceiver.Request> done = answered(receiver, path);
        long[] latencies = done.stream().mapToLong(r -> receiver.answeredAt(r) - java.time.OffsetDateTime
                .parse(r.json().path("occurred_at").asText()).toInstant().toEpochMilli()).sorted().toArray();
        long first = done.stream().mapToLong(r -> java.time.OffsetDateTime.parse(r.json().path("occurred_at")
                .asText()).toInstant().toEpochMilli()).min().orElseThrow();
        double seconds = (last(receiver, path) - first) / 1000.0;
        return String.format("%.1f rows/s, latency p50 %d ms, p99 %d ms", done.size() / seconds,
                latencies[latencies.length / 2], latencies[(int) Math.ceil(latencies.length * 0.99) - 1]);
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
