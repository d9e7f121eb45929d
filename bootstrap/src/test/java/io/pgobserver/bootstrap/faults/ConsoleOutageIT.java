package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console and {@code /health/ready} of the packaged jar while PostgreSQL is stopped under a single {@code run},
 * and after it is started again. The dead-letter pages answer in the console's own style with what they can still
 * show (not a 500 with a stack trace per request in the log), the observers page says in words what failed and
 * shows the last counts it had, readiness names the outage with the role the process had, and every page recovers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConsoleOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Longer than the pool's connection timeout (10 s): the first read in an outage may wait it out. */
    private static final Duration REQUEST = Duration.ofSeconds(60);
    private static final String NOTE = "The database did not answer";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int admin;

    record Answer(int status, String body) {
    }

    @Test
    void the_console_and_readiness_tell_a_database_outage_in_words_and_recover() throws Exception {
        try (FaultSupport.Rig rig = FaultSupport.Rig.start("console-outage",
                "create table public.orders (id bigserial primary key, total int not null)")) {
            rig.hooks.script(r -> r.path().equals("/hooks/refused"), WebhookReceiver.Answer.REFUSE_422);
            admin = FaultSupport.freePort();
            Path config = rig.config("outage.yaml", "outage", admin, "", """
                    refused:
                      entity: public.orders
                      actions:
                        - { type: webhook, url: "%s" }
                    """.formatted(rig.hooks.url("/hooks/refused")));
            rig.install(config, "public.orders");
            ObserverProcess observer = rig.run("outage", config, Map.of());
            FaultSupport.sql(rig.postgres, "insert into public.orders (total) values (7)");
            rig.awaitWhileRunning(observer, "the dead letter", WAIT, () -> letters(rig) == 1);
            long letter = FaultSupport.queryLong(rig.postgres, "select max(id) from pgobserver.dead_letters");
            rig.awaitWhileRunning(observer, "the letter listed and counted in its observer's queue", WAIT,
                    () -> get("/console/dead-letters").body().contains("/console/dead-letters/" + letter)
                            && inQueue(get("/console/observers").body()).equals("1"));
            assertThat(get("/health/ready")).satisfies(ready -> {
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.body()).contains("\"role\":\"active\"");
            });

            rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);

            // The term ended with the lease, and the process now tries to take the lock again: it led, and says so.
            rig.awaitWhileRunning(observer, "readiness naming the lock it cannot take", WAIT,
                    () -> get("/health/ready").body().contains("to take the consumer's lock"));
            Answer ready = get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("\"status\":\"unavailable\"").contains("\"role\":\"active\"")
                    .contains("\"problem\":\"cannot reach PostgreSQL at " + rig.postgres.jdbcUrl());

            for (int i = 0; i < 3; i++) {
                Answer list = get("/console/dead-letters");
                assertThat(list.status()).as("the list while PostgreSQL is down").isEqualTo(200);
                assertThat(list.body()).contains("<main id=\"content\"").contains(NOTE)
                        .contains("the consumer had 1 dead letter(s)").contains("not read: the database did not answer")
                        .doesNotContain("internal error");
                Answer one = get("/console/dead-letters/" + letter);
                assertThat(one.status()).as("one letter while PostgreSQL is down").isEqualTo(503);
                assertThat(one.body()).contains("<main id=\"content\"").contains(NOTE)
                        .doesNotContain("internal error");
                Answer observers = get("/console/observers");
                assertThat(observers.status()).isEqualTo(200);
                assertThat(observers.body()).contains(NOTE).contains("\"In queue\" is from ")
                        .doesNotContain("SQLTransientConnectionException").doesNotContain("total=")
                        .doesNotContain("ConnectionException");
                assertThat(inQueue(observers.body())).as("the last count of the observer's letters").isEqualTo("1");
            }
            rig.assertRunning(observer);
            assertThat(observer.count("another process is the active listener"))
                    .as("an unreachable database reported as another active process").isZero();
            assertThat(observer.count("marked as broken")).as("the pool's stack trace per broken connection").isZero();
            assertThat(observer.count("GET /console/")).as("request failures logged").isZero();
            assertThat(observer.count("at io.pgobserver.adapters.console.")).as("console stack frames logged").isZero();
            assertThat(observer.count("Console: the database did not answer")).as("warnings for the outage")
                    .isEqualTo(1);

            rig.postgres.start();

            rig.awaitWhileRunning(observer, "the list back with its letter", WAIT, () -> {
                Answer list = get("/console/dead-letters");
                return list.status() == 200 && !list.body().contains(NOTE)
                        && list.body().contains("/console/dead-letters/" + letter);
            });
            Answer one = get("/console/dead-letters/" + letter);
            assertThat(one.status()).isEqualTo(200);
            assertThat(one.body()).contains("Dead letter " + letter).contains("id=\"error\">").contains("422")
                    .doesNotContain(NOTE);
            assertThat(get("/console/observers").body()).doesNotContain(NOTE);
            rig.awaitWhileRunning(observer, "ready and active again", WAIT, () -> {
                Answer again = get("/health/ready");
                return again.status() == 200 && again.body().contains("\"role\":\"active\"");
            });
            assertThat(observer.count("Console: the database answers again")).isEqualTo(1);
        }
    }

    private static long letters(FaultSupport.Rig rig) {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters");
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    /** The "in queue" cell of the observer's row. */
    private static String inQueue(String observersPage) {
        int cell = observersPage.indexOf("data-col=\"in-queue\">");
        if (cell < 0) {
            return "";
        }
        int start = cell + "data-col=\"in-queue\">".length();
        return observersPage.substring(start, observersPage.indexOf('<', start)).strip();
    }

    /** GET on the admin port; status -1 when nothing answered. */
    private Answer get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin
                    + path)).timeout(REQUEST).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(-1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "");
        }
    }
}
