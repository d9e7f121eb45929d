package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.WebhookReceiver.Answer;
import org.assertj.core.api.SoftAssertions;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing freezes the stream and nothing delivered is sent again: two change_log rows sharing one
 * {@code event_id} (an outbox writer's), an action failing with an error text that holds a NUL byte (which
 * PostgreSQL text refuses, so its dead letter cannot be stored as it is), and the dead-letter table unavailable for
 * a minute (locked, then renamed away) while actions need dead-lettering. Throughout, rows written later keep
 * arriving; at the end every action is delivered or dead-lettered and no {@code webhook-id} got two 2xx answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoStallIT {

    /** Later events must keep arriving within this (generous: an arrival, not a speed, is checked). */
    private static final Duration ARRIVAL = Duration.ofSeconds(20);
    /** How long the dead-letter table is locked, then how long it is renamed away. */
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final AtomicInteger written = new AtomicInteger();
    /** Where later rows did not arrive in time: asserted at the end, so that every phase runs and is reported. */
    private final List<String> stalls = new java.util.ArrayList<>();
    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("no-stall",
                "create table public.orders (id bigserial primary key, n int not null, "
                + "nul boolean not null default false, poison boolean not null default false)");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void duplicate_event_ids_nul_errors_and_a_missing_dead_letter_table_neither_stall_nor_repeat() throws Exception {
        var config = rig.config("orders.yaml", "no-stall", -1, "", """
                orders:
                  entity: public.orders
                  actions:
                    - { type: webhook, url: "%s" }
                    - { type: webhook, url: "%s" }
                  retry: { max_attempts: 3, initial_backoff: 50ms, max_backoff: 200ms }
                """.formatted(rig.hooks.url("/hooks/first"), rig.hooks.url("/hooks/second")));
        rig.install(config, "public.orders");
        // The second action fails for good on flagged rows: with a NUL in its error text, or refused (422).
        rig.hooks.script(r -> r.path().equals("/hooks/second") && r.json().path("after").path("nul").asBoolean(),
                Answer.NUL_IN_STATUS_LINE);
        rig.hooks.script(r -> r.path().equals("/hooks/second") && r.json().path("after").path("poison").asBoolean(),
                Answer.REFUSE_422);
        ObserverProcess observer = rig.run("orders", config, Map.of());
        keepsArriving("the start");

        // Two outbox rows with one event_id: two events, each with its own actions.
        String shared = UUID.randomUUID().toString();
        FaultSupport.sql(rig.postgres, "insert into pgobserver.change_log (event_id, entity_type, entity_id, kind, "
                + "after) values ('" + shared + "', 'public.orders', 'outbox-1', 'created', '{\"n\": -1}'), ('"
                + shared + "', 'public.orders', 'outbox-2', 'created', '{\"n\": -2}')");
        FaultSupport.sql(rig.postgres, "insert into pgobserver.change_log (event_id, entity_type, entity_id, kind, "
                + "after) values ('" + shared + "', 'public.orders', 'outbox-3', 'created', '{\"n\": -3}')");
        keepsArriving("rows sharing an event_id");

        // An error text with a NUL byte, to be dead-lettered.
        insert("nul");
        keepsArriving("a dead letter whose error holds a NUL byte");

        // The dead-letter table locked, then gone, while a refused action needs it.
        try (Connection lock = rig.postgres.connect("dead-letters-locked")) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("lock table pgobserver.dead_letters in access exclusive mode");
            }
            insert("poison");
            holdOutage("the dead-letter table locked");
            lock.commit();
        }
        FaultSupport.sql(rig.postgres, "alter table pgobserver.dead_letters rename to dead_letters_away");
        insert("poison");
        holdOutage("the dead-letter table renamed away");
        FaultSupport.sql(rig.postgres, "alter table pgobserver.dead_letters_away rename to dead_letters");
        FaultSupport.eventually(Duration.ofSeconds(30), () -> deadLetters("(after->>'poison')::boolean") >= 2
                && deadLetters("(after->>'nul')::boolean") >= 1);
        keepsArriving("the table's return");

        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        FaultSupport.eventually(Duration.ofSeconds(30), () -> undelivered(rows, "/hooks/first") == 0);
        Thread.sleep(2_000); // a repeat would come now, if at all
        long firstMissing = undelivered(rows, "/hooks/first");
        long secondMissing = undelivered(rows.stream().filter(r -> !r.after().contains("\"nul\": true")
                && !r.after().contains("\"poison\": true")).toList(), "/hooks/second");
        rig.assertRunning(observer);
        Map<String, Integer> repeated = rig.hooks.delivered();
        repeated.values().removeIf(n -> n == 1);
        long nulLetters = deadLetters("(after->>'nul')::boolean");
        long refusedLetters = deadLetters("(after->>'poison')::boolean");
        System.out.printf("NoStallIT: %d events (3 sharing one event_id); stalls %s; undelivered first actions %d, "
                        + "second actions %d; dead letters: NUL error %d, refused %d; webhook-ids answered 2xx more "
                        + "than once: %d %s%n", rows.size(), stalls, firstMissing, secondMissing, nulLetters,
                refusedLetters, repeated.size(), repeated.entrySet().stream().limit(5).toList());
        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(stalls).as("phases during which later rows stopped arriving; log in %s", rig.log).isEmpty();
        soft.assertThat(firstMissing).as("first actions never delivered").isZero();
        soft.assertThat(secondMissing).as("second actions neither delivered nor meant to fail").isZero();
        soft.assertThat(nulLetters).as("the dead letter whose error held a NUL byte, stored").isEqualTo(1);
        soft.assertThat(refusedLetters).as("refused actions dead-lettered once the table was back").isEqualTo(2);
        soft.assertThat(repeated).as("delivered actions sent again (webhook-id answered 2xx twice)").isEmpty();
        soft.assertThat(rig.hooks.successes().stream().filter(r -> r.eventId().equals(shared)).count())
                .as("the three rows sharing an event_id: two actions each").isEqualTo(6);
        soft.assertAll();
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    /** Keeps writing rows for the outage, checking every few seconds that they arrive meanwhile. */
    private void holdOutage(String what) throws Exception {
        long end = System.nanoTime() + OUTAGE.toNanos();
        while (System.nanoTime() < end) {
            keepsArriving(what);
            Thread.sleep(2_000);
        }
    }

    /** Writes five plain rows and waits for their first action's delivery. */
    private void keepsArriving(String during) throws Exception {
        int from = written.get() + 1;
        for (int i = 0; i < 5; i++) {
            insert(null);
        }
        int to = written.get();
        boolean arrived = FaultSupport.eventually(ARRIVAL, () -> {
            var ns = rig.hooks.successes().stream().filter(r -> r.path().equals("/hooks/first"))
                    .map(r -> r.json().path("after").path("n").asInt()).toList();
            for (int n = from; n <= to; n++) {
                if (!ns.contains(n)) {
                    return false;
                }
            }
            return true;
        });
        if (!arrived) {
            stalls.add("rows " + from + ".." + to + " not delivered within " + ARRIVAL.toSeconds() + " s during "
                    + during);
        }
    }

    /** Inserts one row, with the flag column ('nul' or 'poison') set when not null. */
    private void insert(String flag) throws Exception {
        int n = written.incrementAndGet();
        FaultSupport.sql(rig.postgres, flag == null ? "insert into public.orders (n) values (" + n + ")"
                : "insert into public.orders (n, " + flag + ") values (" + n + ", true)");
    }

    private long deadLetters(String where) {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters where " + where);
        } catch (java.sql.SQLException e) {
            return -1; // renamed away or locked
        }
    }

    /** The rows whose action at {@code path} no 2xx answered: by event_id and entity, since event ids repeat. */
    private long undelivered(List<FaultSupport.Row> rows, String path) {
        Map<String, Integer> ok = rig.hooks.successesBy(r -> r.eventId() + " " + r.entityId() + " " + r.path());
        return rows.stream().filter(r -> !ok.containsKey(r.eventId() + " " + r.entityId() + " " + path)).count();
    }
}
