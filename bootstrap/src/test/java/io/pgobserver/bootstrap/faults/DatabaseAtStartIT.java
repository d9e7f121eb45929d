package io.pgobserver.bootstrap.faults;

import io.pgobserver.bootstrap.faults.FaultSupport.Postgres.Shutdown;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run} started while PostgreSQL does not answer waits for it on the packaged jar: it stays up, says once what
 * it waits for (host and port, the cause, the next attempt) without a stack trace, answers live but not ready, and
 * once the database is up delivers every row written. A stop while it waits ends it at once with exit code 0.
 * (Before, it exited 1 at once: {@code error: cannot connect to PostgreSQL at …}.) The one-shot commands stopped
 * while they connect, or while they work ({@code dlq replay}), say what the stop left done.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DatabaseAtStartIT {

    private static final String OBSERVERS = """
            items:
              entity: public.items
              actions:
                - { type: webhook, url: "%s" }
            """;

    private static FaultSupport.Rig rig;

    @BeforeAll
    static void start() throws Exception {
        rig = FaultSupport.Rig.start("database-at-start",
                "create table public.items (id bigint primary key, n int not null)");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void run_started_while_the_database_is_down_waits_for_it_then_delivers_every_row() throws Exception {
        int adminPort = FaultSupport.freePort();
        Path config = rig.config("items.yaml", "at-start", adminPort, "",
                OBSERVERS.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        rig.postgres.stop(Shutdown.FAST);

        ObserverProcess observer = rig.run("waits", config, Map.of());
        String database = "PostgreSQL at " + rig.postgres.jdbcUrl();
        rig.awaitWhileRunning(observer, "the line saying what it waits for", Duration.ofMinutes(1),
                () -> observer.lastLine("waiting for " + database + ": Connection refused; next attempt in 1s "
                        + "(attempt 1)") > 0);
        // Still waiting, attempt after attempt: alive, not ready, and saying why.
        rig.awaitWhileRunning(observer, "/health/ready to report the third attempt", Duration.ofMinutes(1),
                () -> String.valueOf(FaultSupport.httpBody(adminPort, "/health/ready")).contains("(attempt 3)"));
        assertThat(FaultSupport.httpStatus(adminPort, "/health/live")).isEqualTo(200);
        assertThat(FaultSupport.httpStatus(adminPort, "/health/ready")).isEqualTo(503);
        assertThat(FaultSupport.httpBody(adminPort, "/health/ready")).contains("\"status\":\"unavailable\"",
                "\"role\":\"starting\"", "waiting for " + database + ": Connection refused");
        assertThat(observer.output()).as("no stack trace per attempt").doesNotContain("\tat ");

        rig.postgres.start();
        for (int n = 1; n <= 50; n++) {
            FaultSupport.sql(rig.postgres, "insert into public.items values (" + n + ", " + n + ")");
        }
        List<FaultSupport.Row> rows = FaultSupport.changeLog(rig.postgres);
        assertThat(rows).hasSize(50);
        rig.assertAllDelivered(observer, rows, "/hooks/items", Duration.ofMinutes(2));
        assertThat(observer.output()).contains(database + " answers after");
        rig.awaitWhileRunning(observer, "/health/ready 200", Duration.ofMinutes(1),
                () -> FaultSupport.httpStatus(adminPort, "/health/ready") == 200);
        assertThat(observer.stop()).as("exit code after SIGTERM").isZero();
    }

    @Test
    void a_stop_while_waiting_ends_the_wait_and_exits_0() throws Exception {
        int adminPort = FaultSupport.freePort();
        int nothingListens = FaultSupport.freePort();
        Path config = rig.config("nowhere.yaml", "nowhere", adminPort, "",
                OBSERVERS.formatted(rig.hooks.url("/hooks/nowhere")));
        Files.writeString(config, Files.readString(config).replace(rig.postgres.jdbcUrl(),
                "jdbc:postgresql://127.0.0.1:" + nothingListens + "/postgres"));

        ObserverProcess observer = rig.run("stopped-while-waiting", config, Map.of());
        // The fourth failed attempt waits 8 s before the next.
        rig.awaitWhileRunning(observer, "/health/ready to report the fourth attempt", Duration.ofMinutes(1),
                () -> String.valueOf(FaultSupport.httpBody(adminPort, "/health/ready")).contains("(attempt 4)"));
        long signalled = System.nanoTime();
        // By kill, not Process.destroy(), which closes the pipe and with it the lines the stop logs.
        FaultSupport.signal("TERM", observer.pid());
        assertThat(observer.waitFor(60)).as("exit code after SIGTERM while waiting").isZero();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
        System.out.printf("DatabaseAtStartIT: SIGTERM in the 8 s wait after attempt 4: exit 0 after %d ms%n", millis);
        // Well inside the 8 s the wait had left: the stop ended it instead of waiting it out.
        assertThat(millis).as("milliseconds from SIGTERM to exit").isLessThan(6_000);
        assertThat(observer.output()).contains("SIGTERM received: stopping", "RunCommand - stopped")
                .doesNotContain("stopping: finishing");
    }

    /**
     * A server that accepts the connection and never answers (frozen, or cut off without a reset): a stop during the
     * first attempt ends it, rather than wait for its end (a minute, the silence bound, then as long again asking
     * once more), and exits 0 as a stop during the wait does.
     */
    @Test
    void a_stop_during_an_attempt_on_a_server_that_never_answers_ends_it_and_exits_0() throws Exception {
        int adminPort = FaultSupport.freePort();
        try (FrozenServer frozen = new FrozenServer()) {
            Path config = frozen.config("frozen.yaml", adminPort);
            ObserverProcess observer = rig.run("stopped-while-connecting", config, Map.of());
            rig.awaitWhileRunning(observer, "the first attempt to connect", Duration.ofMinutes(1),
                    () -> !frozen.held.isEmpty());
            long signalled = System.nanoTime();
            FaultSupport.signal("TERM", observer.pid());
            assertThat(observer.waitFor(60)).as("exit code after SIGTERM during the first attempt").isZero();
            System.out.printf("DatabaseAtStartIT: SIGTERM during an attempt on a server that never answers: exit 0 "
                    + "after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled));
            assertThat(observer.output()).contains("SIGTERM received: stopping", "RunCommand - stopped")
                    .as("the attempt the stop ended is no outage to tell").doesNotContain("waiting for PostgreSQL");
        }
    }

    /**
     * The one-shot commands that say where a stop left them say so for a stop while they connect too: stopped before
     * connecting, exit 1 as for their other stops. (Before, the JVM's default ended them without a word, or the
     * attempt the stop cut short read as a wrong database.url.)
     */
    @Test
    void a_stop_while_backfill_or_replay_connects_says_it_stopped_before_connecting() throws Exception {
        try (FrozenServer frozen = new FrozenServer()) {
            Path config = frozen.config("frozen-commands.yaml", FaultSupport.freePort());
            for (List<String> command : List.of(List.of("backfill", "--table", "public.items"),
                    List.of("replay", "--observer", "items", "--from-position", "1", "--to-position", "2"))) {
                int attempts = frozen.held.size();
                List<String> args = new ArrayList<>(command);
                args.addAll(List.of("--config", config.toString()));
                // replay writes JSON lines: the signal's notice and the stop's error are JSON lines too.
                boolean json = command.getFirst().equals("replay");
                ObserverProcess process = ObserverProcess.start(command.getFirst() + " stopped while connecting",
                        rig.log, json ? Map.of("PGOBSERVER_LOG_FORMAT", "json") : Map.of(),
                        args.toArray(String[]::new));
                rig.awaitWhileRunning(process, command.getFirst() + "'s attempt to connect", Duration.ofMinutes(1),
                        () -> frozen.held.size() > attempts);
                FaultSupport.signal("TERM", process.pid());
                assertThat(process.waitFor(60)).as(process.output()).isOne();
                assertThat(process.output()).contains("SIGTERM received: stopping", "error: SIGTERM received while "
                        + "connecting to the database: stopped before connecting, and nothing was done; run the "
                        + "command again").doesNotContain("cannot connect", "database.url", "\tat ");
                if (json) {
                    assertEveryLineIsAJsonObject(process.output());
                }
            }
        }
    }

    private static void assertEveryLineIsAJsonObject(String output) {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(output.lines()).as(output).isNotEmpty().allSatisfy(line -> assertThat(mapper.readTree(line)
                .isObject()).as("a JSON object: %s", line).isTrue());
    }

    /**
     * The commands that only read ({@code status}, {@code dlq list}), change one thing at their end
     * ({@code dlq delete}) or one transaction at a time ({@code install}) end at once on a signal while the database
     * does not answer, saying nothing was changed, exit 1. (Before, the JVM's default ended them without a word: exit
     * 143 or 130.)
     */
    @Test
    void a_stop_of_status_dlq_list_delete_or_install_while_the_database_does_not_answer_says_nothing_was_changed()
            throws Exception {
        try (FrozenServer frozen = new FrozenServer()) {
            Path config = frozen.config("frozen-reads.yaml", FaultSupport.freePort());
            Map<List<String>, String> said = Map.of(
                    List.of("status", "TERM"), "SIGTERM received: stopped at once; nothing was changed: 'status' only "
                            + "reads",
                    List.of("dlq", "list", "INT"), "SIGINT received: stopped at once; nothing was changed: 'dlq list' "
                            + "only reads",
                    List.of("dlq", "delete", "--id", "7", "TERM"), "SIGTERM received: stopped at once; nothing was "
                            + "deleted: letter 7 is in the queue as it was (if it was there)",
                    List.of("install", "--table", "public.items", "INT"), "SIGINT received: stopped at once; the "
                            + "capture of public.items was not changed, nor any other table's; schema pgobserver is "
                            + "as it was or migrated in part (each migration is applied whole or not at all); run "
                            + "'pg-observer install --table public.items --config " + config + "' again to finish "
                            + "it (installing again is harmless)",
                    List.of("install", "--table", "public.items", "--table", "held", "TERM"), "SIGTERM received: "
                            + "stopped at once; the capture of public.items, public.held was not changed, nor any "
                            + "other table's; schema pgobserver is as it was or migrated in part (each migration is "
                            + "applied whole or not at all); run 'pg-observer install --table public.items --table "
                            + "public.held --config " + config + "' again to finish it (installing again is harmless)");
            for (Map.Entry<List<String>, String> command : said.entrySet()) {
                int attempts = frozen.held.size();
                List<String> args = new ArrayList<>(command.getKey().subList(0, command.getKey().size() - 1));
                args.addAll(List.of("--config", config.toString()));
                ObserverProcess process = ObserverProcess.start(String.join(" ", args) + " stopped", rig.log,
                        Map.of(), args.toArray(String[]::new));
                rig.awaitWhileRunning(process, args.getFirst() + "'s attempt to connect", Duration.ofMinutes(1),
                        () -> frozen.held.size() > attempts);
                FaultSupport.signal(command.getKey().getLast(), process.pid());
                assertThat(process.waitFor(60)).as(process.output()).isOne();
                assertThat(process.output()).contains("error: " + command.getValue())
                        .doesNotContain("cannot connect", "\tat ");
            }
        }
    }

    /**
     * {@code dlq replay --all} over 250 letters whose receiver answers each after 100 ms, stopped mid-request by
     * SIGTERM, then by SIGINT: the letter under way gets its answer and ends delivered (removed) or in the queue, no
     * letter after it is run, the counts and what stays are said, exit 1; a third run replays the rest. Every letter
     * ends delivered exactly once: none lost, none sent twice (as an interrupted request, delivered but kept, would
     * be), none left claimed. (Before, the JVM's default ended it without a word: exit 143 or 130.) The signal may
     * reach the replay just after the request it was sent during ends: the letter claimed then is sent nothing and
     * left unsaid, among those that stay, so the counts are the same either way (a CI run once saw it said "not
     * delivered" and counted as replayed).
     */
    @Test
    void a_stop_of_dlq_replay_all_lets_the_letter_under_way_end_and_says_what_stays() throws Exception {
        int letters = 250;
        Path config = rig.config("dlq-stop.yaml", "dlq_stop", FaultSupport.freePort(), "", """
                dlq:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/dlq-stop")));
        rig.install(config, "public.items");
        addLetters("dlq_stop", "dlq", letters);
        String queued = "select count(*) from pgobserver.dead_letters where consumer = 'dlq_stop'";
        long left = letters;
        try {
            rig.hooks.hold(Duration.ofMillis(100));
            for (String signal : List.of("TERM", "INT")) {
                long before = delivered().size();
                ObserverProcess replay = ObserverProcess.start("dlq replay stopped by SIG" + signal, rig.log, Map.of(),
                        "dlq", "replay", "--all", "--config", config.toString());
                rig.awaitWhileRunning(replay, "20 letters delivered and a request with the receiver",
                        Duration.ofMinutes(1), () -> delivered().size() >= before + 20 && rig.hooks.openRequests() > 0);
                FaultSupport.signal(signal, replay.pid());
                assertThat(replay.waitFor(60)).as(replay.output()).isOne();
                long queuedNow = FaultSupport.queryLong(rig.postgres, queued);
                long replayed = left - queuedNow;
                assertThat(delivered()).as("letters answered 200, each once").hasSize(letters - (int) queuedNow)
                        .allSatisfy((id, times) -> assertThat(times).as(id).isOne());
                assertThat(replay.output()).contains("SIG" + signal + " received: stopping",
                        "replayed " + replayed + ": " + replayed + " delivered, 0 not delivered",
                        "error: SIG" + signal + " received: stopped after the letter under way (its line above says "
                                + "whether it was delivered); " + queuedNow + " letter(s) stay in the queue; run "
                                + "'pg-observer dlq replay --all --config " + config + "' again to replay them")
                        .doesNotContain("\tat ");
                left = queuedNow;
            }
        } finally {
            rig.hooks.hold(Duration.ZERO);
        }
        ObserverProcess.Finished rest = ObserverProcess.runToEnd("dlq replay of the rest", rig.log, Map.of(), "dlq",
                "replay", "--all", "--config", config.toString());
        assertThat(rest.exitCode()).as(rest.output()).isZero();
        assertThat(rest.output()).contains("replayed " + left + ": " + left + " delivered, 0 not delivered");
        assertThat(FaultSupport.queryLong(rig.postgres, queued)).isZero();
        assertThat(delivered()).hasSize(letters).allSatisfy((id, times) -> assertThat(times).as(id).isOne());
    }

    /**
     * A database that answers the connection and then nothing (here its locks hold the statement; then it freezes):
     * {@code install} stopped after migrating, in the trigger's transaction, says the schema is migrated and the table
     * is captured as before, exit 1, and an install run again captures it; {@code dlq replay --all} stopped while it
     * reads the queue ends on the first signal, saying nothing was replayed. (Before, install ended without a word,
     * exit 143, and dlq replay waited for a second signal.)
     */
    @Test
    void a_stop_while_the_database_holds_install_or_dlq_replay_after_connecting_says_what_was_done() throws Exception {
        Path config = rig.config("held.yaml", "held", FaultSupport.freePort(), "",
                OBSERVERS.formatted(rig.hooks.url("/hooks/held")));
        rig.install(config, "public.items");
        FaultSupport.sql(rig.postgres, "create table public.held (id bigint primary key)");
        FaultSupport.sql(rig.postgres, """
                insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, after,
                    occurred_at, consumer, observer, action_index, action_key, action_type, error, attempts, failed_at)
                values (gen_random_uuid()::text, 1, 1, 'public.items', '1', 'created', '{"id": 1}', now(), 'held',
                    'items', 0, 'webhook-0', 'webhook', 'HTTP 503', 5, now())""");
        String captured = "select count(*) from pg_trigger where tgrelid = 'public.held'::regclass "
                + "and tgname = 'pgobserver_capture'";

        try (Connection ignored = holding("public.held")) {
            ObserverProcess install = startHeld("public.held", "install stopped in its trigger's transaction",
                    "install", "--table", "public.held", "--config", config.toString());
            rig.postgres.freeze(true); // past the trigger's lock wait bound too: a database that answers nothing
            try {
                FaultSupport.signal("TERM", install.pid());
                assertThat(install.waitFor(60)).as(install.output()).isOne();
            } finally {
                rig.postgres.freeze(false);
            }
            assertThat(install.output()).contains("schema pgobserver: already at version", "error: SIGTERM "
                    + "received: stopped at once; schema pgobserver is migrated; the capture trigger on public.held "
                    + "was not installed, as its transaction did not commit (unless the stop came just as it did): "
                    + "public.held is captured as it was before (not at all, or as an earlier install left it), and "
                    + "other tables as they were; run 'pg-observer install --table public.held --config " + config
                    + "' again to finish it (installing again is harmless)").doesNotContain("\tat ");
        }
        FaultSupport.await("the stopped install's session to end", Duration.ofMinutes(1),
                () -> sessions("public.held", "") == 0);
        assertThat(FaultSupport.queryLong(rig.postgres, captured)).as("public.held captured").isZero();
        rig.install(config, "public.held");
        assertThat(FaultSupport.queryLong(rig.postgres, captured)).as("public.held captured").isOne();

        try (Connection ignored = holding("pgobserver.dead_letters")) {
            ObserverProcess replay = startHeld("pgobserver.dead_letters", "dlq replay stopped while it reads the "
                    + "queue", "dlq", "replay", "--all", "--config", config.toString());
            FaultSupport.signal("INT", replay.pid());
            assertThat(replay.waitFor(60)).as(replay.output()).isOne();
            assertThat(replay.output()).contains("error: SIGINT received before any letter was replayed: stopped, and "
                    + "nothing was done; run the command again to do it").doesNotContain("\tat ");
        }
        assertThat(FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters where "
                + "consumer = 'held'")).as("letters in the queue").isOne();
    }

    /**
     * {@code dlq replay --all} stopped while the database holds its statement between two letters (after the first was
     * delivered: removing it, or reading the next) ends on the first signal with the counts so far and what stays.
     * (Before, it waited for the database, or a second signal.) The receiver holds each request 2 s, so that the lock
     * is taken while the first is with it; ~3 s.
     */
    @Test
    void a_stop_of_dlq_replay_while_the_database_holds_it_between_letters_ends_at_once() throws Exception {
        Path config = twoLettersOfAWebhook("between");
        String output = stoppedWhileHeld("pgobserver.dead_letters", "dlq replay stopped between letters", "--all",
                config);
        assertThat(output).contains("error: SIGINT received: stopped at once while the database did not "
                + "answer ", "the letters not delivered stay in the queue; run 'pg-observer dlq replay --all "
                + "--config " + config + "' again to replay them").doesNotContain("\tat ");
    }

    /**
     * {@code dlq replay --all} of a condition's letters (each runs every action of its observer, and records each one
     * delivered in the delivery log) stopped while the database holds the record of the first letter's delivered
     * action ends on the first signal, naming that write and what it leaves: the letter stays in the queue. (Before,
     * that write was not watched: it waited for the database, or a second signal.) ~9 s.
     */
    @Test
    void a_stop_of_dlq_replay_while_the_database_holds_the_delivery_log_ends_at_once() throws Exception {
        Path config = twoLettersOfAWebhook("logged");
        FaultSupport.sql(rig.postgres, "update pgobserver.dead_letters set action_index = -1, action_key = "
                + "'condition', action_type = 'condition' where consumer = 'logged'");
        String output = stoppedWhileHeld("pgobserver.deliveries", "dlq replay stopped recording a delivery", "--all",
                config);
        assertThat(output).contains("error: SIGINT received: stopped at once while the database did not answer "
                + "recording action #0 (webhook) of letter ", ", delivered, in the delivery log: the letter stays in "
                + "the queue, and the next replay may send that action again", "replayed 0: 0 delivered, 0 not "
                + "delivered", "run 'pg-observer dlq replay --all --config " + config + "' again to replay them")
                .doesNotContain("\tat ");
        assertThat(FaultSupport.queryLong(rig.postgres, "select count(*) from pgobserver.dead_letters where consumer"
                + " = 'logged'")).as("letters in the queue").isEqualTo(2);
    }

    /**
     * What {@code dlq replay} with these letters says when SIGINT comes while a statement of its on {@code table}
     * waits for the lock a session of the test takes while the first letter's request is with the receiver; exit 1.
     * The receiver answers that request once the lock is taken, not after a set time: held for 2 s, as long as the
     * rig's read_timeout, it timed out on a busy machine, and the letter was never delivered.
     */
    private static String stoppedWhileHeld(String table, String name, String which, Path config) throws Exception {
        try {
            rig.hooks.holdUntilReleased(request -> true);
            List<String> args = new ArrayList<>(List.of("dlq", "replay"));
            args.addAll(List.of(which.split(" ")));
            args.addAll(List.of("--config", config.toString()));
            ObserverProcess replay = ObserverProcess.start(name, rig.log, Map.of(), args.toArray(String[]::new));
            rig.awaitWhileRunning(replay, "the first letter's request with the receiver", Duration.ofMinutes(1),
                    () -> rig.hooks.openRequests() > 0);
            try (Connection ignored = holding(table)) {
                rig.hooks.release();
                rig.awaitWhileRunning(replay, "a statement on " + table + " waiting for its lock",
                        Duration.ofMinutes(1), () -> sessions(table, "and wait_event_type = 'Lock'") > 0);
                FaultSupport.signal("INT", replay.pid());
                assertThat(replay.waitFor(60)).as(replay.output()).isOne();
            }
            return replay.output();
        } finally {
            rig.hooks.release();
        }
    }

    /** Stopped at once in a replay of one letter, it names that letter's command: --all would replay every one. */
    @Test
    void a_stop_of_dlq_replay_of_one_letter_while_the_database_holds_it_names_that_letter_to_replay_again()
            throws Exception {
        Path config = twoLettersOfAWebhook("one");
        long id = FaultSupport.queryLong(rig.postgres, "select min(id) from pgobserver.dead_letters where consumer"
                + " = 'one'");
        String output = stoppedWhileHeld("pgobserver.dead_letters", "dlq replay --id stopped", "--id " + id, config);
        // Stopped as the letter's delivered request is removed from the queue: that removal waits for the lock.
        assertThat(output).contains("error: SIGINT received: stopped at once while the database did not answer "
                + "removing letter " + id + ", delivered", "run 'pg-observer dlq replay --id " + id + " --config "
                + config + "' again to replay it").doesNotContain("dlq replay --all");
    }

    /** A configuration of one webhook observer, consumer and observer named {@code name}, with two of its letters. */
    private static Path twoLettersOfAWebhook(String name) throws Exception {
        Path config = rig.config(name + ".yaml", name, FaultSupport.freePort(), "", """
                %s:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(name, rig.hooks.url("/hooks/" + name)));
        rig.install(config, "public.items");
        addLetters(name, name, 2);
        return config;
    }

    /** Queues this many dead letters of the consumer's webhook observer, one per row of public.items. */
    private static void addLetters(String consumer, String observer, int letters) throws Exception {
        FaultSupport.sql(rig.postgres, """
                insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, after,
                    occurred_at, consumer, observer, action_index, action_key, action_type, error, attempts, failed_at)
                select gen_random_uuid()::text, 1, n, 'public.items', n::text, 'created', jsonb_build_object('id', n),
                    now(), '%s', '%s', 0, 'webhook-0', 'webhook', 'HTTP 503', 5, now()
                from generate_series(1, %d) n""".formatted(consumer, observer, letters));
    }

    /** A session of the test's holding the table's lock until closed, as a long transaction or a migration may. */
    private static Connection holding(String table) throws SQLException {
        Connection holder = rig.postgres.connect("holds-" + table);
        holder.setAutoCommit(false);
        holder.createStatement().execute("lock table " + table + " in access exclusive mode");
        return holder;
    }

    /** Starts the jar with these arguments, and waits until its statement on {@code table} waits for the lock. */
    private static ObserverProcess startHeld(String table, String name, String... args) throws Exception {
        ObserverProcess process = ObserverProcess.start(name, rig.log, Map.of(), args);
        rig.awaitWhileRunning(process, "a statement on " + table + " waiting for its lock", Duration.ofMinutes(1),
                () -> sessions(table, "and wait_event_type = 'Lock'") > 0);
        return process;
    }

    /** The sessions other than the test's whose statement names {@code relation}, and meets {@code and}. */
    private static long sessions(String relation, String and) {
        try {
            return FaultSupport.queryLong(rig.postgres, "select count(*) from pg_stat_activity where query like '%"
                    + relation + "%' and application_name not like 'holds-%' and pid <> pg_backend_pid() " + and);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The webhook-ids answered 200 at /hooks/dlq-stop, with how many times each was. */
    private static Map<String, Integer> delivered() {
        Map<String, Integer> times = new HashMap<>();
        rig.hooks.successes().stream().filter(r -> r.path().equals("/hooks/dlq-stop"))
                .forEach(r -> times.merge(r.header("webhook-id"), 1, Integer::sum));
        return times;
    }

    /** A server that accepts connections and never answers (frozen, or cut off without a reset). */
    private static final class FrozenServer implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Socket> held = new CopyOnWriteArrayList<>();

        FrozenServer() throws IOException {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(server.accept()); // kept open, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        /** A configuration whose database is this server. */
        Path config(String file, int adminPort) throws IOException {
            Path config = rig.config(file, file.replace(".yaml", ""), adminPort, "",
                    OBSERVERS.formatted(rig.hooks.url("/hooks/" + file.replace(".yaml", ""))));
            Files.writeString(config, Files.readString(config).replace(rig.postgres.jdbcUrl(),
                    "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + "/postgres"));
            return config;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
