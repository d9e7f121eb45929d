package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One row's changes reach the webhook in the order they were committed, not in the order their transactions
 * began. The packaged jar runs as a child process against an embedded PostgreSQL; the capture trigger is
 * installed by {@code pg-observer install}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitOrderIT {

    private static final int HOT_ROWS = 20;
    private static final int WRITERS = 4;
    private static final int UPDATES = Integer.getInteger("commit-order.updates", 20_000);
    private static final int KILLS = 4;

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("commit-order",
                "create table public.orders (id int primary key, status text not null)",
                "create table public.counters (id int primary key, c int not null)",
                "create table public.audit (id bigserial primary key, note text)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    /**
     * T_A begins and writes another row first, so it holds the older transaction id; T_B sets order 500 to
     * 'paid' and commits; T_A sets it to 'shipped' and commits. Commit order is paid, shipped: so must the
     * webhook's be.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_row_changed_by_an_older_transaction_that_commits_later_arrives_later() throws Exception {
        var config = rig.config("orders.yaml", "commit-order-orders", -1, "", """
                orders:
                  entity: public.orders
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/orders")));
        rig.install(config, "public.orders");
        FaultSupport.sql(rig.postgres, "insert into public.orders values (500, 'new')");
        ObserverProcess observer = rig.run("orders", config, Map.of());
        await("order 500 'new' delivered", Duration.ofMinutes(2), () -> statuses("500").contains("new"));

        try (Connection a = rig.postgres.connect("t_a"); Connection b = rig.postgres.connect("t_b")) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            try (Statement s = a.createStatement()) {
                s.execute("insert into public.audit (note) values ('t_a begins')");
                s.execute("insert into public.orders values (501, 'new')");
            }
            try (Statement s = b.createStatement()) {
                s.execute("update public.orders set status = 'paid' where id = 500");
            }
            b.commit();
            try (Statement s = a.createStatement()) {
                s.execute("update public.orders set status = 'shipped' where id = 500");
            }
            a.commit();
        }
        await("'paid' and 'shipped' delivered", Duration.ofMinutes(1),
                () -> statuses("500").containsAll(List.of("paid", "shipped")));
        rig.assertRunning(observer);
        assertThat(statuses("500")).as("order 500's changes as the webhook received them; log in %s", rig.log)
                .startsWith("new", "paid", "shipped");
        observer.stop();
    }

    /**
     * Four writers each begin a transaction, write an unobserved row (so their transaction ids are taken in one
     * order) and then increment the counter of one of 20 hot rows (row locks serialise them in another order),
     * 20,000 times in all by default ({@code -Dcommit-order.updates=N} for another count), while the observer is
     * killed with SIGKILL and restarted four times.
     * For each row the first arrival of each event must come in increasing counter order, and every event must
     * arrive.
     */
    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void hot_rows_arrive_in_counter_order_across_kill_nine() throws Exception {
        var config = rig.config("counters.yaml", "commit-order-counters", -1, "max_in_flight: 64", """
                counters:
                  entity: public.counters
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/counters")));
        rig.install(config, "public.counters");
        FaultSupport.sql(rig.postgres, "insert into public.counters select g, 0 from generate_series(1, "
                + HOT_ROWS + ") g");
        Random random = new Random(seed);
        ObserverProcess observer = rig.run("counters-0", config, Map.of());

        AtomicLong updates = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < WRITERS; w++) {
            Random own = new Random(random.nextLong());
            writers.add(Thread.ofPlatform().name("counter-writer-" + w).start(() -> write(own, updates)));
        }
        for (int kill = 1; kill <= KILLS; kill++) {
            rig.awaitDeliveries(200 + random.nextInt(1_000)); // a random moment of its work
            rig.assertRunning(observer);
            observer.kill();
            observer = rig.run("counters-" + kill, config, Map.of());
        }
        for (Thread writer : writers) {
            writer.join();
        }
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres).stream()
                .filter(r -> r.after() != null && r.after().contains("\"c\"")).toList();
        rig.assertAllDelivered(observer, rows, "/hooks/counters", Duration.ofMinutes(3));
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        rig.assertRunning(observer);

        Map<String, List<Integer>> firstArrivals = new HashMap<>();
        Set<String> seen = new HashSet<>();
        long requests = 0;
        for (WebhookReceiver.Request r : rig.hooks.requests()) {
            if (!r.path().equals("/hooks/counters")) {
                continue;
            }
            requests++;
            if (seen.add(r.eventId())) {
                firstArrivals.computeIfAbsent(r.entityId(), k -> new ArrayList<>())
                        .add(r.json().path("after").path("c").asInt());
            }
        }
        List<String> outOfOrder = new ArrayList<>();
        firstArrivals.forEach((row, counters) -> {
            for (int i = 1; i < counters.size(); i++) {
                if (counters.get(i) <= counters.get(i - 1)) {
                    outOfOrder.add("row " + row + ": " + counters.get(i - 1) + " then " + counters.get(i));
                }
            }
        });
        System.out.printf("CommitOrderIT (seed %d): %d events (%d counter updates by %d writers in %d ms), "
                        + "%d kill -9s, %d webhook requests, all delivered after %d ms, out of order: %d%n", seed,
                rows.size(), updates.get(), WRITERS, writeMillis, KILLS, requests, drainMillis, outOfOrder.size());
        assertThat(rows).as("events written").hasSizeGreaterThanOrEqualTo(UPDATES);
        assertThat(outOfOrder).as("first arrivals out of counter order (seed %d; log in %s)", seed, rig.log)
                .isEmpty();
        observer.stop();
    }

    /** One writer: begin, write an unobserved row, increment a random hot row, commit; retried on failure. */
    private void write(Random random, AtomicLong updates) {
        try (Connection c = rig.postgres.connect("counter-writer");
             PreparedStatement audit = c.prepareStatement("insert into public.audit (note) values ('counter')");
             PreparedStatement bump = c.prepareStatement("update public.counters set c = c + 1 where id = ?")) {
            c.setAutoCommit(false);
            while (updates.get() < UPDATES) {
                audit.executeUpdate();
                if (random.nextInt(4) == 0) {
                    Thread.sleep(1); // widens the gap between taking the xid and taking the row lock
                }
                bump.setInt(1, 1 + random.nextInt(HOT_ROWS));
                bump.executeUpdate();
                c.commit();
                updates.incrementAndGet();
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("counter writer failed", e);
        }
    }

    /** Order statuses in the order the webhook first received each event. */
    private List<String> statuses(String orderId) {
        List<String> statuses = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (WebhookReceiver.Request r : rig.hooks.requests()) {
            if (r.path().equals("/hooks/orders") && r.entityId().equals(orderId) && seen.add(r.eventId())) {
                statuses.add(r.json().path("after").path("status").asText());
            }
        }
        return statuses;
    }
}
