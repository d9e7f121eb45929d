package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transaction left open (an idle-in-transaction session that wrote to an unrelated table and to the observed
 * one) delays only its own rows: other transactions' events keep arriving while it stays open, and its own
 * arrive once it commits. The packaged jar runs as a child process against an embedded PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenTransactionIT {

    /** Far more than a few poll intervals (200 ms), so that arrival, not speed, is what the test checks. */
    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("open-transaction",
                "create table public.orders (id bigserial primary key, note text not null)",
                "create table public.reports (id bigserial primary key, note text)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void an_open_transaction_delays_only_its_own_events() throws Exception {
        var config = rig.config("orders.yaml", "open-transaction", -1, "", """
                orders:
                  entity: public.orders
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/orders")));
        rig.install(config, "public.orders");
        ObserverProcess observer = rig.run("orders", config, Map.of());
        insert("warm-up");
        await("the observer delivering", Duration.ofMinutes(2), () -> arrived("warm-up"));

        try (Connection open = rig.postgres.connect("left-open")) {
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.execute("insert into public.reports (note) values ('a long report')");
                s.execute("insert into public.orders (note) values ('held-1')");
                s.execute("insert into public.orders (note) values ('held-2')");
            }
            long slowest = 0;
            for (int round = 0; round < 3; round++) {
                long committed = System.nanoTime();
                for (int i = 0; i < 10; i++) {
                    insert("free-" + round + "-" + i);
                }
                int r = round;
                rig.awaitWhileRunning(observer, "round " + round + " of other transactions' events while a "
                        + "transaction is open", ARRIVAL,
                        () -> arrived("free-" + r + "-9") && arrived("free-" + r + "-0"));
                slowest = Math.max(slowest, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - committed));
                rig.assertRunning(observer);
                Thread.sleep(1_000);
            }
            assertThat(arrived("held-1") || arrived("held-2")).as("uncommitted rows are never delivered").isFalse();
            long before = rig.hooks.requests().size();
            open.commit();
            rig.awaitWhileRunning(observer, "the open transaction's own events after its commit", ARRIVAL,
                    () -> arrived("held-1") && arrived("held-2"));
            List<WebhookReceiver.Request> all = rig.hooks.requests();
            assertThat(all.subList((int) before, all.size()).stream().map(r -> note(r)))
                    .as("its events arrive after the commit").contains("held-1", "held-2");
            System.out.printf("OpenTransactionIT: 30 events committed beside a transaction left open arrived; "
                    + "slowest round of 10: %d ms (poll interval 200 ms)%n", slowest);
        }
        rig.assertRunning(observer);
        observer.stop();
    }

    private void insert(String note) throws Exception {
        FaultSupport.sql(rig.postgres, "insert into public.orders (note) values ('" + note + "')");
    }

    private boolean arrived(String note) {
        return rig.hooks.successes().stream().anyMatch(r -> note.equals(note(r)));
    }

    private static String note(WebhookReceiver.Request r) {
        return r.json().path("after").path("note").asText();
    }
}
