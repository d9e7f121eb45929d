package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transaction left open (an idle-in-transaction session that wrote to an unrelated table and to the observed
 * one) delays only its own rows: other transactions' events keep arriving while it stays open, and its own
 * arrive once it commits. Meanwhile {@code status} names it (pid, state, age, application, last statement, how to
 * end it) and run's {@code pgobserver_listener_open_transaction_age_seconds} gives its age, 0 again after the
 * commit. The packaged jar runs as a child process against an embedded PostgreSQL.
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
        int metricsPort = FaultSupport.freePort();
        Files.writeString(config, Files.readString(config).replace("metrics: { enabled: false }",
                "metrics: { enabled: true, port: " + metricsPort + " }"));
        rig.install(config, "public.orders");
        ObserverProcess observer = rig.run("orders", config, Map.of());
        insert("warm-up");
        await("the observer delivering", Duration.ofMinutes(2), () -> arrived("warm-up"));

        try (Connection open = rig.postgres.connect("left-open")) {
            open.setAutoCommit(false);
            long opened = System.nanoTime();
            long pid = pid(open);
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
            // status names a transaction once it has been open 10 s.
            Thread.sleep(Math.max(0, 11_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened)));
            ObserverProcess.Finished status = ObserverProcess.runToEnd("status", rig.log, Map.of(), "status",
                    "--config", config.toString());
            assertThat(status.output()).as("status while a transaction that wrote events is open").containsPattern(
                    "lag: +0 event\\(s\\) behind\\nopen transaction: pid " + pid + ", idle in transaction for \\d+s \\(app "
                            + "'left-open', role 'postgres'\\), its events wait for its commit\\n"
                            + "    last statement: insert into public.orders \\(note\\) values \\('held-2'\\)\\n"
                            + "    commit it from its application, or end it with SELECT pg_terminate_backend\\("
                            + pid + "\\) \\(its changes are rolled back and never become events\\)\\n");
            JsonNode json = new ObjectMapper().readTree(ObserverProcess.runToEnd("status", rig.log, Map.of(),
                    "status", "--json", "--config", config.toString()).output()).path("open_transaction");
            assertThat(json.path("pid").asLong()).as(json.toString()).isEqualTo(pid);
            assertThat(json.path("seconds").asDouble()).as(json.toString()).isGreaterThanOrEqualTo(10);
            await("the open transaction's age on the gauge", ARRIVAL,
                    () -> openTransactionAge(metricsPort) >= 10);
            long before = rig.hooks.requests().size();
            open.commit();
            rig.awaitWhileRunning(observer, "the open transaction's own events after its commit", ARRIVAL,
                    () -> arrived("held-1") && arrived("held-2"));
            await("the gauge back at 0 after the commit", ARRIVAL, () -> openTransactionAge(metricsPort) == 0);
            assertThat(ObserverProcess.runToEnd("status", rig.log, Map.of(), "status", "--config",
                    config.toString()).output()).doesNotContain("open transaction");
            List<WebhookReceiver.Request> all = rig.hooks.requests();
            assertThat(all.subList((int) before, all.size()).stream().map(r -> note(r)))
                    .as("its events arrive after the commit").contains("held-1", "held-2");
            System.out.printf("OpenTransactionIT: 30 events committed beside a transaction left open arrived; "
                    + "slowest round of 10: %d ms (poll interval 200 ms)%n", slowest);
        }
        rig.assertRunning(observer);
        observer.stop();
    }

    private static long pid(Connection connection) throws Exception {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** pgobserver_listener_open_transaction_age_seconds as run's metrics endpoint says it; -1 before it answers. */
    private static double openTransactionAge(int port) {
        String body = FaultSupport.httpBody(port, "/metrics");
        Matcher gauge = body == null ? null
                : Pattern.compile("(?m)^pgobserver_listener_open_transaction_age_seconds\\{[^}]*} (\\S+)$").matcher(body);
        return gauge != null && gauge.find() ? Double.parseDouble(gauge.group(1)) : -1;
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
