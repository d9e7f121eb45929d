package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Answer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;


/**
 * What was delivered is remembered per consumer, observer and action, never by position in a list: two consumers
 * whose observers have the same name but different actions each deliver every event; and an action inserted before
 * the others while events are being redelivered after a SIGKILL is neither skipped nor mistaken for the one that
 * used to stand in its place (which must not run again); and {@code dlq replay --all} replays the consumer's own
 * dead letters, never another consumer's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumersIT {

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("consumers",
                "create table public.orders (id bigint primary key, n int not null)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void consumers_and_reordered_actions_neither_skip_nor_repeat() throws Exception {
        Path shop = shopConfig("shop.yaml", "");
        rig.install(shop, "public.orders");
        Path warehouse = rig.config("warehouse.yaml", "warehouse", -1, "", """
                orders:
                  entity: public.orders
                  actions:
                    - { type: webhook, url: "%s" }
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/warehouse/pick"), rig.hooks.url("/warehouse/label")));

        ObserverProcess shopProcess = rig.run("shop", shop, Map.of());
        insert(1, 50);
        await("the shop consumer delivering rows 1-50", Duration.ofMinutes(2),
                () -> missing("/shop/notify", 1, 50) == 0);
        ObserverProcess warehouseProcess = rig.run("warehouse", warehouse, Map.of());
        insert(51, 100);
        // Checked at the end, so that a failure here still lets the reordering below be tried and reported.
        FaultSupport.eventually(Duration.ofSeconds(30), () -> missing("/shop/notify", 1, 100)
                + missing("/warehouse/pick", 1, 100) + missing("/warehouse/label", 1, 100) == 0);
        String twoConsumers = "rows 1-100 undelivered: /shop/notify %d, /warehouse/pick %d, /warehouse/label %d"
                .formatted(missing("/shop/notify", 1, 100), missing("/warehouse/pick", 1, 100),
                        missing("/warehouse/label", 1, 100));

        // Row 101's action keeps failing, so the shop's position cannot pass it while rows 102-130 are delivered.
        rig.hooks.script(r -> r.path().equals("/shop/notify") && r.entityId().equals("101"), Answer.UNAVAILABLE_503);
        insert(101, 130);
        await("rows 102-130 delivered while row 101 retries", Duration.ofMinutes(1),
                () -> missing("/shop/notify", 102, 130) == 0);
        // Killed once the shop has recorded its 129 deliveries (rows 1-100 and 102-130): one answered but not yet
        // recorded is still in flight, and a kill -9 rightly repeats it. A 1 s sleep stood here, which a busy
        // machine recording late could outlast, failing the "delivered twice" check below for no fault.
        await("the shop's deliveries recorded", Duration.ofMinutes(1), () -> shopDeliveryRecords() >= 129);
        shopProcess.kill();
        // The shop's new release puts an action before the one it had; rows from 101 on run again.
        shop = shopConfig("shop-v2.yaml", "- { type: webhook, url: \"" + rig.hooks.url("/shop/audit") + "\" }\n");
        rig.hooks.unscript();
        shopProcess = rig.run("shop-v2", shop, Map.of());
        FaultSupport.eventually(Duration.ofSeconds(30), () -> missing("/shop/audit", 101, 130)
                + missing("/shop/notify", 101, 101) + missing("/warehouse/pick", 101, 130)
                + missing("/warehouse/label", 101, 130) == 0);
        Thread.sleep(2_000); // a repeat would come now, if at all
        String reordered = "rows 101-130 undelivered: /shop/audit (the inserted action) %d, /shop/notify (row 101) %d, "
                .formatted(missing("/shop/audit", 101, 130), missing("/shop/notify", 101, 101))
                + "/warehouse/pick %d, /warehouse/label %d".formatted(missing("/warehouse/pick", 101, 130),
                missing("/warehouse/label", 101, 130));
        rig.assertRunning(shopProcess);
        rig.assertRunning(warehouseProcess);

        // Each consumer has a dead letter; the shop's replay must run its own and leave the warehouse's alone. The
        // warehouse's receiver moved: its letter names where to, the url to configure.
        rig.hooks.script(r -> r.path().equals("/warehouse/label") && r.entityId().equals("131"), Answer.MOVED_308);
        rig.hooks.script(r -> r.path().equals("/shop/notify") && r.entityId().equals("132"), Answer.REFUSE_422);
        insert(131, 132);
        // Both letters written, and the shop's own deliveries of row 131 done: a late one after the mark would
        // look like the replay reaching for the warehouse's row.
        FaultSupport.eventually(Duration.ofSeconds(30), () -> deadLetters() >= 2
                && missing("/shop/audit", 131, 132) + missing("/shop/notify", 131, 131) == 0);
        rig.hooks.unscript();
        String movedError = FaultSupport.queryString(rig.postgres,
                "select error from pgobserver.dead_letters where observer = 'orders' and entity_id = '131'");
        long lettersBefore = deadLetters();
        int mark = rig.hooks.requests().size();
        ObserverProcess.Finished replay = ObserverProcess.runToEnd("dlq replay", rig.log, Map.of(), "dlq", "replay",
                "--all", "--config", shop.toString());
        List<WebhookReceiver.Request> replayed = rig.hooks.requests();
        replayed = replayed.subList(mark, replayed.size());
        long toWarehouseRow = replayed.stream().filter(r -> r.entityId().equals("131") && r.path().startsWith("/shop/"))
                .count();
        long toOwnRow = replayed.stream().filter(r -> r.entityId().equals("132") && r.path().equals("/shop/notify"))
                .count();
        String ownLetters = ("dead letters %d, after the replay %d; shop replay exit %d; shop requests for the "
                + "warehouse's row 131: %d; /shop/notify for its own row 132: %d").formatted(lettersBefore,
                deadLetters(), replay.exitCode(), toWarehouseRow, toOwnRow);

        Map<String, Integer> notified = rig.hooks.successesBy(r -> r.path() + " " + r.eventId());
        List<String> repeated = notified.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .toList();
        System.out.printf("ConsumersIT: 132 rows, two consumers; %s; after the reorder: %s; actions delivered twice: "
                + "%d %s; %s%n", twoConsumers, reordered, repeated.size(), repeated.stream().limit(5).toList(),
                ownLetters);
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(twoConsumers).as("two consumers, same observer name, different actions").endsWith(
                "/shop/notify 0, /warehouse/pick 0, /warehouse/label 0");
        soft.assertThat(reordered).as("an action inserted before the others across a SIGKILL").isEqualTo(
                "rows 101-130 undelivered: /shop/audit (the inserted action) 0, /shop/notify (row 101) 0, "
                        + "/warehouse/pick 0, /warehouse/label 0");
        soft.assertThat(repeated).as("actions delivered twice (path event_id); log in %s", rig.log).isEmpty();
        soft.assertThat(movedError).as("the warehouse's letter for a receiver that moved (308)").isEqualTo(
                "webhook POST " + rig.hooks.url("/warehouse/label") + ": HTTP 308 (not retried: the receiver redirects "
                        + "to " + rig.hooks.url("/warehouse/label-v2") + ", and redirects are not followed for a "
                        + "request with a body: set the action's url to that address): moved");
        soft.assertThat(ownLetters).as("dlq replay --all by one consumer").isEqualTo("dead letters 2, after the "
                + "replay 1; shop replay exit 0; shop requests for the warehouse's row 131: 0; /shop/notify for its "
                + "own row 132: 1");
        soft.assertAll();
        shopProcess.stop();
        warehouseProcess.stop();
    }

    /** The shop consumer's configuration: its 'orders' observer notifies the shop, after {@code before}. */
    private Path shopConfig(String file, String before) throws Exception {
        String actions = before + "- { type: webhook, url: \"" + rig.hooks.url("/shop/notify") + "\" }";
        return rig.config(file, "shop", -1, "batch_size: 500", """
                orders:
                  entity: public.orders
                  actions:
                %s
                  retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 300ms }
                """.formatted(actions.indent(4).stripTrailing()));
    }

    private long shopDeliveryRecords() {
        try {
            return FaultSupport.queryLong(rig.postgres,
                    "select count(*) from pgobserver.deliveries where consumer = 'shop'");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private long deadLetters() {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private void insert(int from, int to) throws Exception {
        for (int id = from; id <= to; id++) {
            FaultSupport.sql(rig.postgres, "insert into public.orders values (" + id + ", " + id + ")");
        }
    }

    /** How many rows with ids in [from, to] no 2xx answered at {@code path}. */
    private long missing(String path, int from, int to) {
        java.util.Set<String> ok = new java.util.HashSet<>();
        rig.hooks.successes().stream().filter(r -> r.path().equals(path)).forEach(r -> ok.add(r.entityId()));
        long missing = 0;
        for (int id = from; id <= to; id++) {
            if (!ok.contains(Integer.toString(id))) {
                missing++;
            }
        }
        return missing;
    }
}
