package io.pgobserver.bootstrap.faults;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.pgobserver.bootstrap.tracing.ExportedSpan;
import io.pgobserver.bootstrap.tracing.OtlpReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-observer replay} from the packaged jar, beside a running {@code run} process: a stretch of history (by
 * time, then by position) reaches the named observer's receiver again, exactly that stretch, in commit order per
 * row, marked {@code webhook-replay: true}, each event's spans in a new trace linked to the writer's original one;
 * the other observer gets nothing. A replay whose receiver refuses some events counts them as failed and exits 3.
 * Once retention has deleted part of the stretch, the replay is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// The first test's observer must deliver the whole change_log: it runs before the second adds to it.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplayIT {

    private static final int ROWS = 10;
    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;
    private OtlpReceiver traces;
    /** The processes the running test started with {@link #launch}. */
    private final List<ObserverProcess> started = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("replay",
                "create table public.orders (id int primary key, status text not null, n int not null default 0)",
                "create table public.items (id bigint primary key, n bigint not null)");
        traces = OtlpReceiver.http();
    }

    /** Ends what the test started itself, however it ended: a replay a failure left running sent into the next test. */
    @AfterEach
    void endStarted() throws InterruptedException {
        for (ObserverProcess process : started) {
            process.close(); // SIGKILL when still running
        }
        started.clear();
    }

    @AfterAll
    void stop() throws Exception {
        traces.close();
        rig.close();
    }

    @Test
    @Order(1)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_stretch_reaches_only_the_named_observer_again_marked_and_linked() throws Exception {
        Path config = config("replay.yaml", "");
        rig.install(config, "public.orders");
        FaultSupport.sql(rig.postgres, "insert into public.orders select g, 'new', 0 from generate_series(1, " + ROWS
                + ") g");
        ObserverProcess observer = rig.run("observer", config, Map.of());
        Random random = new Random(seed);

        write(random, 30);
        String from = now();
        Thread.sleep(20);
        write(random, 60);
        Thread.sleep(20);
        String to = now();
        write(random, 30);
        List<FaultSupport.Row> all = FaultSupport.changeLog(rig.postgres);
        rig.assertAllDelivered(observer, all, "/hooks/shop", Duration.ofMinutes(2));
        rig.assertAllDelivered(observer, all, "/hooks/warehouse", Duration.ofMinutes(2));

        Map<String, String> stretch = traceIds("occurred_at between '" + from + "' and '" + to + "'");
        int before = rig.hooks.requests().size();
        ObserverProcess.Finished replay = ObserverProcess.runToEnd("replay", rig.log, Map.of(), "replay", "--config",
                config.toString(), "--observer", "shop", "--from", from, "--to", to);
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).contains("replayed " + stretch.size() + " event(s) for observer shop",
                "): " + stretch.size() + " delivered, 0 not matching the condition, 0 failed");
        List<WebhookReceiver.Request> replayed = rig.hooks.requestsSince(before);
        assertReplayed(replayed, stretch);
        Map<String, String> shopIds = webhookIds(before, "/hooks/shop");
        assertThat(replayed).as("a replay sends the webhook-id of the live delivery").allSatisfy(r ->
                assertThat(r.header("webhook-id")).as("event %s", r.eventId()).isEqualTo(shopIds.get(r.eventId())));

        await("replay spans exported", Duration.ofMinutes(1), () -> replaySpans().size() >= stretch.size());
        Map<String, ExportedSpan> byEvent = new HashMap<>();
        replaySpans().forEach(s -> byEvent.put(s.attribute("event_id"), s));
        assertThat(byEvent.keySet()).containsExactlyInAnyOrderElementsOf(stretch.keySet());
        byEvent.forEach((event, span) -> {
            assertThat(span.linkedTraces()).as("links of the replay of %s", event).containsExactly(stretch.get(event));
            assertThat(span.traceId()).isNotEqualTo(stretch.get(event));
        });
        assertThat(traces.spans(stretch.values().iterator().next())).as("the original trace")
                .anyMatch(s -> s.name().equals("process_event") && s.attribute("replay") == null);

        // By position: the first and last ids of the same stretch, for the other observer this time.
        Map<String, String> positions = traceIds("id between " + firstId(all, stretch) + " and "
                + lastId(all, stretch));
        before = rig.hooks.requests().size();
        replay = ObserverProcess.runToEnd("replay positions", rig.log, Map.of(), "replay", "--config",
                config.toString(), "--observer", "warehouse", "--from-position", Long.toString(firstId(all, stretch)),
                "--to-position", Long.toString(lastId(all, stretch)));
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        List<WebhookReceiver.Request> byPosition = rig.hooks.requestsSince(before);
        assertThat(byPosition).allMatch(r -> r.path().equals("/hooks/warehouse"));
        Map<String, String> warehouseIds = webhookIds(before, "/hooks/warehouse");
        assertThat(byPosition).as("the other observer's ids: its own live ones, not shop's").allSatisfy(r -> {
            assertThat(r.header("webhook-id")).isEqualTo(warehouseIds.get(r.eventId()));
            assertThat(r.header("webhook-id")).isNotEqualTo(shopIds.get(r.eventId()));
        });
        assertThat(byPosition.stream().map(WebhookReceiver.Request::eventId).toList())
                .containsExactlyInAnyOrderElementsOf(positions.keySet());
        System.out.printf("ReplayIT (seed %d): %d events in the log, stretch of %d replayed for shop, %d by position "
                + "for warehouse; %d replay spans linked%n", seed, all.size(), stretch.size(), byPosition.size(),
                byEvent.size());
        replayWithFailures(all, firstId(all, stretch), lastId(all, stretch));
        rig.assertRunning(observer);
        observer.stop();

        // Retention on: the rows of the stretch go once every consumer passed them, and the replay is refused.
        Path retaining = config("retaining.yaml", "retention: 1s");
        ObserverProcess retainer = rig.run("retainer", retaining, Map.of());
        rig.awaitWhileRunning(retainer, "retention deleted the stretch's first row", Duration.ofMinutes(1),
                () -> count("select count(*) from pgobserver.change_log where id <= " + firstId(all, stretch)) == 0);
        ObserverProcess.Finished refused = ObserverProcess.runToEnd("replay refused", rig.log, Map.of(), "replay",
                "--config", config.toString(), "--observer", "shop", "--from", from, "--to", to);
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("retention (listener.retention) has deleted change_log rows");
        retainer.stop();
    }

    /**
     * A long replay cut short, by Ctrl-C (SIGINT) and then by PostgreSQL stopping under its resume, says each time
     * how far it got and the command that runs the rest; run, the resumes deliver every event of the stretch, and
     * none finished before a cut runs again (the one in flight at a cut may: it is after the id named).
     */
    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_replay_cut_short_names_where_it_stopped_and_its_resume_runs_the_rest() throws Exception {
        Path config = itemsConfig("cut.yaml", "");
        rig.install(config, "public.items");
        long started = System.nanoTime();
        FaultSupport.insertItems(rig.postgres, "items-writer", 2000, 100_000);
        Map<String, Long> ids = new HashMap<>();
        FaultSupport.changeLog(rig.postgres).stream().filter(r -> r.kind().equals("created"))
                .forEach(r -> ids.put(r.eventId(), r.id()));
        long first = ids.values().stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = ids.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        int start = rig.hooks.requests().size();

        ObserverProcess replay = launch("replay cut by SIGINT", "replay", "--config", config.toString(), "--observer",
                "items", "--from-position", Long.toString(first), "--to-position", Long.toString(last));
        awaitItems(start, 200);
        FaultSupport.signal("INT", replay.pid());
        assertThat(replay.waitFor(60)).as(replay.output()).isEqualTo(1);
        long cut = stoppedAt(replay.output(), "SIGINT", config, last);
        assertThat(replay.output()).contains("replayed ", " event(s) for observer items so far (change_log ids "
                + first + " to " + last);
        int afterSignal = rig.hooks.requests().size();
        assertThat(itemIds(start, afterSignal, ids)).as("delivered before the cut").contains(first, cut);

        ObserverProcess resumed = launch("resume cut by PostgreSQL", resumeCommand(replay.output()));
        awaitItems(afterSignal, 200);
        rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);
        int exit = resumed.waitFor(60);
        rig.postgres.start();
        assertThat(exit).as(resumed.output()).isEqualTo(1);
        // The database lost is said first, in the product's words, with what to do; the pool's words come after.
        long secondCut = stoppedAt(resumed.output(), "", config, last);
        assertThat(resumed.output()).contains("error: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped "
                + "answering, and the replay stopped before the end of its stretch: once it answers again, run the "
                + "command at the end of this line; stopped at change_log id " + secondCut + " (every event up to it "
                + "is done; cause: "); // the pool's or the driver's words, as the stop found the session
        assertThat(resumed.output()).doesNotContain("reading the stretch failed");
        int afterStop = rig.hooks.requests().size();
        assertThat(itemIds(afterSignal, afterStop, ids)).as("the resume runs nothing done before the first cut")
                .allMatch(id -> id > cut);

        ObserverProcess.Finished rest = ObserverProcess.runToEnd("second resume", rig.log, Map.of(),
                resumeCommand(resumed.output()));
        assertThat(rest.exitCode()).as(rest.output()).isZero();
        List<Long> third = itemIds(afterStop, rig.hooks.requests().size(), ids);
        assertThat(third).as("the second resume runs nothing done before the second cut")
                .allMatch(id -> id > secondCut);
        assertThat(itemIds(start, rig.hooks.requests().size(), ids)).as("every event of the stretch, at least once")
                .containsAll(ids.values());
        System.out.printf("ReplayIT cut short: %d events; SIGINT after id %d, PostgreSQL stopped after id %d, the "
                + "rest (%d) run by the second resume; %.1f s%n", ids.size(), cut, secondCut, third.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * SIGTERM while an event's webhook is held open by its receiver: the replay does not wait for the answer (the
     * action's timeouts are minutes here) but cuts the request, names the event as running, and resumes at it, so
     * the resume delivers it (it is not skipped) and the events after it.
     */
    @Test
    @Order(3)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_replay_stopped_in_the_middle_of_an_event_resumes_at_that_event() throws Exception {
        Path config = itemsConfig("mid-event.yaml", ", timeout: 5m");
        List<FaultSupport.Row> rows = fiveItems(config, 100_001);
        FaultSupport.Row held = rows.get(2);
        long first = rows.get(0).id();
        long last = rows.get(4).id();
        int start = rig.hooks.requests().size();
        ObserverProcess replay;
        try {
            replay = replayHoldingTheThird("replay stopped mid-event", config, rows);
            FaultSupport.signal("TERM", replay.pid());
            assertThat(replay.waitFor(60)).as(replay.output()).isEqualTo(1);
        } finally {
            rig.hooks.release();
        }
        assertThat(replay.output()).contains("replayed 2 event(s) for observer items so far (change_log ids " + first
                + " to " + last, "): 2 delivered, 0 not matching the condition, 0 failed",
                "stopped at change_log id " + rows.get(1).id() + " (SIGTERM; every event up to it is done; "
                        + "change_log id " + held.id() + " was running, its actions may have reached their receivers, "
                        + "and it runs again with the resume",
                "; resume with: pg-observer replay --config " + config + " --set actions.read_timeout=5m "
                        + "--observer items --from-position " + held.id() + " --to-position " + last);
        assertThat(rig.hooks.successes()).as("answered 2xx").noneMatch(r -> r.eventId().equals(held.eventId()));

        int resumedAt = rig.hooks.requests().size();
        ObserverProcess.Finished resumed = ObserverProcess.runToEnd("resume of a replay stopped mid-event", rig.log,
                Map.of(), resumeCommand(replay.output()));
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("replayed 3 event(s) for observer items (change_log ids " + held.id()
                + " to " + last, "): 3 delivered, 0 not matching the condition, 0 failed");
        assertThat(rig.hooks.requestsSince(resumedAt))
                .as("what the resume sent").extracting(WebhookReceiver.Request::eventId)
                .containsExactly(held.eventId(), rows.get(3).eventId(), rows.get(4).eventId());
        assertThat(rig.hooks.requests().subList(start, resumedAt)).as("what the stopped replay sent")
                .extracting(WebhookReceiver.Request::eventId)
                .containsExactly(rows.get(0).eventId(), rows.get(1).eventId(), held.eventId());
    }

    /**
     * PostgreSQL stopped while an event's webhook is with its receiver, which then refuses it (422): its dead letter
     * cannot be stored. The replay does not wait for the database with no end (it retried the write for ever) but
     * stops at that event, which is neither counted nor done, says so, and resumes at it: the resume dead-letters it.
     */
    @Test
    @Order(4)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_dead_letter_that_cannot_be_stored_stops_the_replay_at_its_event() throws Exception {
        Path config = itemsConfig("lost-letter.yaml", ", timeout: 5m");
        List<FaultSupport.Row> rows = fiveItems(config, 200_001);
        FaultSupport.Row refused = rows.get(2);
        long last = rows.get(4).id();
        ObserverProcess replay;
        boolean stopped = false;
        try {
            replay = replayHoldingTheThird("replay losing its dead letter", config, rows);
            rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);
            stopped = true;
            rig.hooks.rejectWhen(r -> r.eventId().equals(refused.eventId()));
            rig.hooks.release();
            assertThat(replay.waitFor(60)).as(replay.output()).isEqualTo(1); // the pool's 10 s for a session
        } finally {
            rig.hooks.release();
            if (stopped) {
                rig.postgres.start();
            }
        }
        assertThat(replay.output()).contains("replayed 2 event(s) for observer items so far (", "): 2 delivered, 0 "
                + "not matching the condition, 0 failed", "error: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped "
                + "answering, and the replay stopped before the end of its stretch: once it answers again, run the "
                + "command at the end of this line; stopped at change_log id " + rows.get(1).id() + " (every event up "
                + "to it is done; change_log id " + refused.id() + " is not done: its webhook failed for observer "
                + "items (webhook POST " + rig.hooks.url("/hooks/items") + ": HTTP 422", ") and its dead letter could not be stored, so it runs again with the resume (its "
                + "actions delivered, too); cause: ", "; resume with: pg-observer replay --config " + config
                + " --set actions.read_timeout=5m --observer items --from-position " + refused.id() + " --to-position "
                + last);
        String letters = "select count(*) from pgobserver.dead_letters where event_id = '" + refused.eventId() + "'";
        assertThat(count(letters)).as("dead letters of the refused event").isZero();

        ObserverProcess.Finished resumed = ObserverProcess.runToEnd("resume of a replay that lost a dead letter",
                rig.log, Map.of(), resumeCommand(replay.output()));
        rig.hooks.unscript();
        assertThat(resumed.exitCode()).as(resumed.output()).isEqualTo(3);
        assertThat(resumed.output()).contains("replayed 3 event(s) for observer items (change_log ids " + refused.id()
                + " to " + last, "): 2 delivered, 0 not matching the condition, 1 failed and dead-lettered");
        assertThat(count(letters)).as("dead letters of the refused event, after the resume").isEqualTo(1);
    }

    /**
     * PostgreSQL lost while the replay checks its stretch, before the first event (here: while the present is read,
     * held up by a lock on change_log): the replay says it as a loss later on is said, with the command to run again.
     */
    @Test
    @Order(5)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_database_lost_before_the_first_event_is_said_with_the_command_to_run_again() throws Exception {
        Path config = itemsConfig("lost-early.yaml", "");
        String from = now();
        String to = "2999-01-01T00:00:00Z";
        ObserverProcess replay;
        boolean stopped = false;
        Connection locker = rig.postgres.connect("change_log locker");
        try (Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("lock table pgobserver.change_log in access exclusive mode");
            replay = launch("replay losing its database before the first event", "replay", "--config",
                    config.toString(), "--observer", "items", "--from", from, "--to", to);
            await("the replay waiting for change_log", Duration.ofMinutes(1), () -> count("select count(*) from "
                    + "pg_stat_activity where wait_event_type = 'Lock' and query like '%change_log%'") == 1);
            rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);
            stopped = true;
            assertThat(replay.waitFor(60)).as(replay.output()).isEqualTo(1);
        } finally {
            locker.close();
            if (stopped) {
                rig.postgres.start();
            }
        }
        assertThat(replay.output()).contains("error: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped answering, "
                + "and the replay stopped before the end of its stretch: once it answers again, run the command at the "
                + "end of this line; stopped before its first event (cause: ", "); resume with: pg-observer replay "
                + "--config " + config + " --observer items --from " + java.time.Instant.parse(from) + " --to "
                + java.time.Instant.parse(to));
        assertThat(replay.output()).doesNotContain("--verbose prints the stack trace");
    }

    /**
     * A mail the server took for some recipients and deferred for another is dead-lettered; {@code dlq replay}, in
     * a process of its own once the observer has stopped, mails the one it missed only: each mailbox holds one copy.
     * Before, the recipients reached were known to the process that reached them only, and the replay mailed all.
     */
    @Test
    @Order(6)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_partly_sent_email_replayed_by_another_process_reaches_only_the_recipients_it_missed() throws Exception {
        GreenMail mail = new GreenMail(new ServerSetup(FaultSupport.freePort(), "127.0.0.1",
                ServerSetup.PROTOCOL_SMTP));
        mail.start();
        try (DeferringSmtp front = DeferringSmtp.start(mail.getSmtp().getPort(), "full@example.com")) {
            FaultSupport.sql(rig.postgres, "create table public.alerts (id int primary key, note text)");
            Path config = rig.config("mail.yaml", "mail", -1, "", """
                    alerts:
                      entity: public.alerts
                      actions:
                        - { type: email, to: [ops@example.com, full@example.com], cc: [audit@example.com],
                            subject: "alert {{after.id}}", text: "{{after.note}}" }
                      retry: { max_attempts: 1 }
                    """);
            Files.writeString(config, """
                    email:
                      smtp: { host: 127.0.0.1, port: %d, security: none, from: observer@example.com, timeout: 10s }
                    """.formatted(front.port()), StandardOpenOption.APPEND);
            rig.install(config, "public.alerts");
            ObserverProcess observer = rig.run("mail observer", config, Map.of());
            FaultSupport.sql(rig.postgres, "insert into public.alerts values (1, 'disk full')");
            await("the partly sent mail dead-lettered", Duration.ofMinutes(2), () -> count("select count(*) from "
                    + "pgobserver.dead_letters where consumer = 'mail'") == 1 || !observer.isAlive());
            assertThat(observer.stop()).as(observer.output()).isNotEqualTo(-1);
            assertThat(copies(mail)).as("the first attempt").isEqualTo(Map.of("ops@example.com", 1,
                    "audit@example.com", 1, "full@example.com", 0));

            front.stopDeferring();
            ObserverProcess.Finished replay = ObserverProcess.runToEnd("dlq replay of the mail", rig.log, Map.of(),
                    "dlq", "replay", "--all", "--config", config.toString());

            assertThat(replay.exitCode()).as(replay.output()).isZero();
            assertThat(copies(mail)).as("after the replay in another process (%s)", replay.output()).isEqualTo(
                    Map.of("ops@example.com", 1, "audit@example.com", 1, "full@example.com", 1));
            assertThat(count("select count(*) from pgobserver.dead_letters where consumer = 'mail'")).isZero();
        } finally {
            mail.stop();
        }
    }

    /** How many copies of a mail each recipient's mailbox holds. */
    private static Map<String, Integer> copies(GreenMail mail) throws Exception {
        Map<String, Integer> copies = new HashMap<>();
        for (String address : List.of("ops@example.com", "audit@example.com", "full@example.com")) {
            GreenMailUser user = mail.getUserManager().getUserByEmail(address);
            copies.put(address, user == null ? 0
                    : mail.getManagers().getImapHostManager().getInbox(user).getMessageCount());
        }
        return copies;
    }

    /**
     * A replay of the five rows for items (the action's timeouts minutes long), once the receiver holds the third
     * one's webhook open, unanswered until {@link WebhookReceiver#release}.
     */
    private ObserverProcess replayHoldingTheThird(String name, Path config, List<FaultSupport.Row> rows)
            throws Exception {
        rig.hooks.holdUntilReleased(r -> r.eventId().equals(rows.get(2).eventId()));
        ObserverProcess replay = launch(name, "replay", "--config", config.toString(), "--set",
                "actions.read_timeout=5m", "--observer", "items", "--from-position", Long.toString(rows.get(0).id()),
                "--to-position", Long.toString(rows.get(4).id()));
        await("the third event's webhook held by its receiver", Duration.ofMinutes(1),
                () -> rig.hooks.openRequests() == 1);
        return replay;
    }

    /** Starts {@code pg-observer args...}, to be ended after the test if it has not ended by then. */
    private ObserverProcess launch(String name, String... args) throws IOException {
        ObserverProcess process = ObserverProcess.start(name, rig.log, Map.of(), args);
        started.add(process);
        return process;
    }

    /** Five new rows of public.items from {@code firstId} on, captured (the trigger installed when not yet). */
    private List<FaultSupport.Row> fiveItems(Path config, long firstId) throws Exception {
        if (count("select count(*) from pg_trigger where tgrelid = 'public.items'::regclass and not tgisinternal")
                == 0) {
            rig.install(config, "public.items"); // installed by a test before, when it ran
        }
        long newest = count("select coalesce(max(id), 0) from pgobserver.change_log");
        FaultSupport.sql(rig.postgres, "insert into public.items select g, 0 from generate_series(" + firstId + ", "
                + (firstId + 4) + ") g");
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres).stream().filter(r -> r.id() > newest)
                .toList();
        assertThat(rows).hasSize(5);
        return rows;
    }

    private void awaitItems(int from, int more) throws InterruptedException {
        await(more + " replayed items", Duration.ofMinutes(1), () -> rig.hooks.requestsSince(from).stream()
                .filter(r -> r.path().equals("/hooks/items")).count() >= more);
    }

    /** The change_log ids of the items events the receiver got between these two counts of requests. */
    private List<Long> itemIds(int from, int to, Map<String, Long> ids) {
        return rig.hooks.requests().subList(from, to).stream().filter(r -> r.path().equals("/hooks/items"))
                .map(r -> ids.get(r.eventId())).toList();
    }

    /**
     * The id a cut-short replay says it stopped at, once its line names the reason (given first in the parentheses,
     * when not said before them) and the exact resume command.
     */
    private static long stoppedAt(String output, String reason, Path config, long last) {
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("stopped at change_log id (\\d+) \\(")
                .matcher(output);
        assertThat(stopped.find()).as(output).isTrue();
        long id = Long.parseLong(stopped.group(1));
        assertThat(output).contains("at change_log id " + id + " (" + reason, "every event up to it is done",
                "; resume with: pg-observer replay --config " + config + " --observer items --from-position "
                        + (id + 1) + " --to-position " + last);
        return id;
    }

    /** The arguments of the command a cut-short replay printed to resume it. */
    private static String[] resumeCommand(String output) {
        java.util.regex.Matcher resume = java.util.regex.Pattern.compile("resume with: pg-observer (.+)$",
                java.util.regex.Pattern.MULTILINE).matcher(output);
        assertThat(resume.find()).as(output).isTrue();
        return resume.group(1).split(" ");
    }

    /**
     * A replay whose receiver refuses the events of one row, and whose condition leaves out another row: it runs the
     * whole stretch, says how many events were delivered, did not match and failed (each failed one dead-lettered),
     * and exits 3 so that a script can tell.
     */
    private void replayWithFailures(List<FaultSupport.Row> all, long first, long last) throws Exception {
        List<FaultSupport.Row> rows = all.stream().filter(r -> r.id() >= first && r.id() <= last).toList();
        List<String> entities = rows.stream().map(FaultSupport.Row::entityId).distinct().toList();
        String refused = entities.get(0);
        String leftOut = entities.get(1);
        long failed = rows.stream().filter(r -> r.entityId().equals(refused)).count();
        long notMatching = rows.stream().filter(r -> r.entityId().equals(leftOut)).count();
        Path config = config("picky.yaml", "", """
                  picky:
                    entity: public.orders
                    condition: "after.id != %s"
                    actions: [ { type: webhook, url: "%s" } ]
                """.formatted(leftOut, rig.hooks.url("/hooks/picky")));
        rig.hooks.rejectWhen(r -> r.path().equals("/hooks/picky") && r.entityId().equals(refused));
        try {
            long started = System.nanoTime();
            ObserverProcess.Finished replay = ObserverProcess.runToEnd("replay with failures", rig.log, Map.of(),
                    "replay", "--config", config.toString(), "--observer", "picky", "--from-position",
                    Long.toString(first), "--to-position", Long.toString(last));
            System.out.printf("ReplayIT replay with failures: %d events, %d refused, %d not matching: exit %d in "
                    + "%.1f s%n", rows.size(), failed, notMatching, replay.exitCode(),
                    (System.nanoTime() - started) / 1e9);
            assertThat(replay.exitCode()).as(replay.output()).isEqualTo(3);
            assertThat(replay.output()).contains("replayed " + rows.size() + " event(s) for observer picky (",
                    "): " + (rows.size() - failed - notMatching) + " delivered, " + notMatching + " not matching the "
                            + "condition, " + failed + " failed and dead-lettered (see 'pg-observer dlq list'; "
                            + "'pg-observer dlq replay --all' once the receiver answers)");
            assertThat(count("select count(*) from pgobserver.dead_letters where observer = 'picky'"))
                    .as("picky's dead letters").isEqualTo(failed);
        } finally {
            rig.hooks.unscript();
        }
    }

    /** Event id to the {@code webhook-id} of its live requests to {@code path}, of the first {@code upTo} requests. */
    private Map<String, String> webhookIds(int upTo, String path) {
        Map<String, String> ids = new HashMap<>();
        for (WebhookReceiver.Request r : rig.hooks.requests().subList(0, upTo)) {
            if (r.path().equals(path)) {
                String before = ids.putIfAbsent(r.eventId(), r.header("webhook-id"));
                assertThat(before).as("event %s at %s: one webhook-id", r.eventId(), path)
                        .isIn(null, r.header("webhook-id"));
            }
        }
        return ids;
    }

    /** Exactly the stretch, at shop only, each marked, and per row in the order the rows' counters were written. */
    private void assertReplayed(List<WebhookReceiver.Request> replayed, Map<String, String> stretch) {
        assertThat(replayed).as("replayed requests").allMatch(r -> r.path().equals("/hooks/shop"));
        assertThat(replayed).allMatch(r -> "true".equals(r.header("webhook-replay")));
        assertThat(replayed.stream().map(WebhookReceiver.Request::eventId).toList())
                .containsExactlyInAnyOrderElementsOf(stretch.keySet());
        Map<String, List<Integer>> counters = new LinkedHashMap<>();
        replayed.forEach(r -> counters.computeIfAbsent(r.entityId(), k -> new ArrayList<>())
                .add(r.json().path("after").path("n").asInt()));
        counters.forEach((row, ns) -> assertThat(ns).as("row %s in the replay", row).isSorted());
    }

    private List<ExportedSpan> replaySpans() {
        return traces.spansNamed("process_event").stream().filter(s -> "true".equals(s.attribute("replay"))).toList();
    }

    private Path config(String file, String listener) throws Exception {
        return config(file, listener, """
                  shop:
                    entity: public.orders
                    actions: [ { type: webhook, url: "%s" } ]
                  warehouse:
                    entity: public.orders
                    actions: [ { type: webhook, url: "%s" } ]
                """.formatted(rig.hooks.url("/hooks/shop"), rig.hooks.url("/hooks/warehouse")));
    }

    /** A configuration whose one observer, items, sends public.items to a webhook with these further options. */
    private Path itemsConfig(String file, String webhookOptions) throws Exception {
        return config(file, "", """
                  items:
                    entity: public.items
                    actions: [ { type: webhook, url: "%s"%s } ]
                """.formatted(rig.hooks.url("/hooks/items"), webhookOptions));
    }

    private Path config(String file, String listener, String observers) throws Exception {
        return FaultSupport.writeConfig(rig.work, file, """
                database: { url: "%s", user: postgres }
                listener: { consumer: replay, poll_interval: 200ms, checkpoint_interval: 100ms %s }
                tracing:
                  enabled: true
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  batch: { schedule_delay: 200ms }
                metrics: { enabled: false }
                admin: { port: -1 }
                observers:
                %s""".formatted(rig.postgres.jdbcUrl(), listener.isEmpty() ? "" : ", " + listener, traces.endpoint(),
                observers));
    }

    /** {@code updates} one-row transactions, each in a writer trace of its own, counting up per row. */
    private void write(Random random, int updates) throws SQLException {
        HexFormat hex = HexFormat.of();
        try (Connection c = rig.postgres.connect("writer");
             PreparedStatement trace = c.prepareStatement("select set_config('pgobserver.traceparent', ?, true)");
             PreparedStatement update = c.prepareStatement("update public.orders set n = n + 1 where id = ?")) {
            c.setAutoCommit(false);
            for (int i = 0; i < updates; i++) {
                byte[] traceId = new byte[16];
                byte[] spanId = new byte[8];
                random.nextBytes(traceId);
                random.nextBytes(spanId);
                trace.setString(1, "00-" + hex.formatHex(traceId) + "-" + hex.formatHex(spanId) + "-01");
                trace.executeQuery().close();
                update.setInt(1, 1 + random.nextInt(ROWS));
                update.executeUpdate();
                c.commit();
            }
        }
    }

    private String now() throws SQLException {
        try (Connection c = rig.postgres.connect("clock"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select to_char(clock_timestamp() at time zone 'UTC', "
                     + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The change_log rows matching {@code where}: event id to the trace id of the writer's traceparent. */
    private Map<String, String> traceIds(String where) throws SQLException {
        Map<String, String> ids = new LinkedHashMap<>();
        try (Connection c = rig.postgres.connect("check"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select event_id::text, split_part(traceparent, '-', 2) "
                     + "from pgobserver.change_log where " + where + " order by id")) {
            while (rs.next()) {
                ids.put(rs.getString(1), rs.getString(2));
            }
        }
        return ids;
    }

    private long count(String query) {
        try {
            return FaultSupport.queryLong(rig.postgres, query);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long firstId(List<FaultSupport.Row> all, Map<String, String> stretch) {
        return all.stream().filter(r -> stretch.containsKey(r.eventId())).mapToLong(FaultSupport.Row::id).min()
                .orElseThrow();
    }

    private static long lastId(List<FaultSupport.Row> all, Map<String, String> stretch) {
        return all.stream().filter(r -> stretch.containsKey(r.eventId())).mapToLong(FaultSupport.Row::id).max()
                .orElseThrow();
    }
}
