package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-observer backfill}'s refusals, {@code --where}, {@code --cancel} and {@code --resume}, and the share lock
 * at work, from the packaged jar against an embedded PostgreSQL. {@link BackfillIT} has the load run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackfillCommandIT {

    private FaultSupport.Rig rig;

    @BeforeAll
    void start() throws Exception {
        rig = FaultSupport.Rig.start("backfill-command",
                "create table public.notes (body text)",
                "create table public.items (id int primary key, n int not null)",
                "insert into public.items select g, 0 from generate_series(1, 20000) g",
                "create table public.parts (id int primary key, n int not null)",
                "insert into public.parts select g, 0 from generate_series(1, 5000) g",
                "create table public.shelves (id int primary key, n int not null)",
                "insert into public.shelves select g, 0 from generate_series(1, 40) g",
                "create table public.bins (id int primary key, n int not null)",
                "insert into public.bins select g, 0 from generate_series(1, 40) g",
                "create table public.crates (id int primary key, n int not null)",
                "insert into public.crates select g, 0 from generate_series(1, 40) g",
                "create table public.boxes (id int primary key, n int not null)",
                "insert into public.boxes select g, 0 from generate_series(1, 40) g");
    }

    @AfterAll
    void stop() throws Exception {
        rig.close();
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void a_table_without_a_primary_key_is_refused_with_exit_2() throws Exception {
        var config = rig.config("notes.yaml", "backfill-notes", -1, "", """
                notes:
                  entity: public.notes
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/notes")));
        ObserverProcess.Finished refused = ObserverProcess.runToEnd("backfill notes", rig.log, Map.of(), "backfill",
                "--config", config.toString(), "--table", "public.notes");
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("table public.notes has no primary key");
    }

    /**
     * A chunk waits for a writer holding one of its rows and reads the writer's committed version after it; a cancel
     * waits for that chunk and stops the backfill before the next. A --where backfill logs only its rows.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_chunk_waits_for_a_writer_and_a_cancel_for_the_chunk() throws Exception {
        var config = rig.config("items.yaml", "backfill-items", -1, "", """
                items:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/items")));
        rig.install(config, "public.items");
        try (Connection writer = rig.postgres.connect("items-writer"); Statement update = writer.createStatement()) {
            writer.setAutoCommit(false);
            update.executeUpdate("update public.items set n = 1 where id = 10000");
            ObserverProcess backfill = ObserverProcess.start("backfill items", rig.log, Map.of(), "backfill",
                    "--config", config.toString(), "--table", "public.items", "--where", "id % 2 = 0", "--chunk", "5");
            String waiting = "select count(*) from pg_stat_activity where wait_event_type = 'Lock'";
            await("the chunk waits for the writer", Duration.ofMinutes(2), () -> count(waiting) == 1);
            ObserverProcess cancel = ObserverProcess.start("cancel", rig.log, Map.of(), "backfill", "--config",
                    config.toString(), "--cancel", "--table", "public.items");
            await("the cancel waits for the chunk", Duration.ofMinutes(1), () -> count(waiting) == 2);
            writer.commit();
            assertThat(cancel.waitFor(60)).as(cancel.output()).isZero();
            assertThat(cancel.output()).contains("of public.items cancelled after 5000 row(s)");
            assertThat(backfill.waitFor(60)).as(backfill.output()).isZero();
            assertThat(backfill.output()).contains("of public.items cancelled: 5000 row(s)");
        }
        String reads = "select count(*) from pgobserver.change_log where entity_type = 'public.items' and kind = 'read'";
        assertThat(count(reads)).as("read events logged").isEqualTo(5000);
        assertThat(count(reads + " and entity_id::int % 2 = 1")).as("rows outside --where").isZero();
        assertThat(count(reads + " and entity_id = '10000' and (after ->> 'n')::int = 1 and id > (select id from "
                + "pgobserver.change_log where entity_type = 'public.items' and kind = 'updated')"))
                .as("row 10000 read as the writer committed it, after the writer's change").isEqualTo(1);
        ObserverProcess.Finished resume = ObserverProcess.runToEnd("resume", rig.log, Map.of(), "backfill",
                "--config", config.toString(), "--resume", "--table", "public.items");
        assertThat(resume.output()).contains("no unfinished backfill of public.items to resume");

        // Ctrl-C mid-backfill: it stops after the chunk in flight and says how far it got and how to go on, exit 1;
        // what it names is what is stored, so the resume (here: the cancel) takes it up from there.
        ObserverProcess interrupted = ObserverProcess.start("backfill stopped by SIGINT", rig.log, Map.of(),
                "backfill", "--config", config.toString(), "--table", "public.items", "--chunk", "5");
        String rowsDone = "select coalesce(max(rows_done), 0) from pgobserver.backfills where table_name = "
                + "'public.items' and state = 'running'";
        await("a few chunks done", Duration.ofMinutes(1), () -> count(rowsDone) >= 50);
        FaultSupport.signal("INT", interrupted.pid());
        assertThat(interrupted.waitFor(60)).as(interrupted.output()).isEqualTo(1);
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("error: backfill \\d+ of public\\.items "
                + "stopped after (\\d+) row\\(s\\) logged as read events(?: out of ~\\d+)?, last key (\\d+) "
                + "\\(SIGINT; each chunk commits whole, so no row is sent twice\\); resume with: pg-observer backfill "
                + "--config " + java.util.regex.Pattern.quote(config.toString()) + " --resume --table public.items")
                .matcher(interrupted.output());
        assertThat(stopped.find()).as(interrupted.output()).isTrue();
        assertThat(Long.parseLong(stopped.group(1))).as("the rows it names are those stored").isEqualTo(count(rowsDone));
        assertThat(Long.parseLong(stopped.group(2))).as("the last key it names is the one stored").isEqualTo(count(
                "select max(last_key[1]::int) from pgobserver.backfills where table_name = 'public.items' and state "
                        + "= 'running'"));
        ObserverProcess.Finished cancelled = ObserverProcess.runToEnd("cancel the stopped one", rig.log, Map.of(),
                "backfill", "--config", config.toString(), "--cancel", "--table", "public.items");
        assertThat(cancelled.output()).contains("cancelled after " + stopped.group(1) + " row(s)");
    }

    /**
     * PostgreSQL lost while a backfill or its --resume checks the table, before the first chunk (held up here by a lock
     * on pgobserver.backfills): each says so in the words of a replay's loss, with the command to run again, exit 1.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_database_lost_before_the_first_chunk_is_said_with_the_command_to_run_again() throws Exception {
        var config = rig.config("lost.yaml", "backfill-lost", -1, "", """
                items:
                  entity: public.items
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/items")));
        if (count("select count(*) from pg_trigger where tgrelid = 'public.items'::regclass and not tgisinternal")
                == 0) {
            rig.install(config, "public.items"); // installed by another test before, when it ran
        }
        ObserverProcess backfill;
        ObserverProcess resume;
        boolean stopped = false;
        Connection locker = rig.postgres.connect("backfills locker");
        try (Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("lock table pgobserver.backfills in access exclusive mode");
            backfill = ObserverProcess.start("backfill losing its database", rig.log, Map.of(), "backfill",
                    "--config", config.toString(), "--table", "public.items", "--where", "id % 2 = 0");
            resume = ObserverProcess.start("resume losing its database", rig.log, Map.of(), "backfill", "--config",
                    config.toString(), "--resume", "--table", "public.items");
            await("both waiting for pgobserver.backfills", Duration.ofMinutes(1), () -> count("select count(*) from "
                    + "pg_stat_activity where wait_event_type = 'Lock' and query like '%pgobserver.backfills%'") == 2);
            rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);
            stopped = true;
            assertThat(backfill.waitFor(60)).as(backfill.output()).isEqualTo(1);
            assertThat(resume.waitFor(60)).as(resume.output()).isEqualTo(1);
        } finally {
            locker.close();
            if (stopped) {
                rig.postgres.start();
            }
        }
        String lost = "error: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped answering, and the backfill stopped "
                + "before its first chunk: once it answers again, run the command at the end of this line (cause: ";
        assertThat(backfill.output()).contains(lost, "); run again: pg-observer backfill --config " + config
                + " --table public.items --where 'id % 2 = 0'").doesNotContain("--verbose");
        assertThat(resume.output()).contains(lost, "); run again: pg-observer backfill --config " + config
                + " --resume --table public.items").doesNotContain("--verbose");
    }

    /**
     * PostgreSQL stopped under a running backfill: the chunk that fails is rolled back whole and run again once the
     * database answers (a backfill waits out an outage, as 'run' does; the log says which database stopped
     * answering), and it finishes with every row logged once, none lost, none twice.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_backfill_waits_out_an_outage_and_logs_each_row_once() throws Exception {
        var config = rig.config("outage.yaml", "backfill-outage", -1, "", """
                parts:
                  entity: public.parts
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(rig.hooks.url("/hooks/parts")));
        rig.install(config, "public.parts");
        long before = count("select coalesce(max(id), 0) from pgobserver.change_log");
        String reads = "from pgobserver.change_log where kind = 'read' and entity_type = 'public.parts' and id > "
                + before;
        ObserverProcess backfill = ObserverProcess.start("backfill through an outage", rig.log, Map.of(), "backfill",
                "--config", config.toString(), "--table", "public.parts", "--chunk", "100");
        await("a few chunks done", Duration.ofMinutes(1), () -> count("select count(*) " + reads) >= 500);
        rig.postgres.stop(FaultSupport.Postgres.Shutdown.FAST);
        try {
            await("a chunk failed for the outage", Duration.ofMinutes(1), () -> backfill.output().contains(
                    "the chunk failed and is run again: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped answering"));
        } finally {
            rig.postgres.start();
        }
        assertThat(backfill.waitFor(90)).as(backfill.output()).isZero();
        assertThat(backfill.output()).contains("of public.parts finished: 5000 row(s) logged as read events");
        assertThat(count("select count(*) " + reads)).as("read events").isEqualTo(5000);
        assertThat(count("select count(distinct entity_id) " + reads)).as("rows read").isEqualTo(5000);
    }

    /**
     * A --resume of every table that loses its session to PostgreSQL part-way, after it took up the first backfill
     * (here the second table's attendance, a new session, held up by a lock on it and then terminated), says where
     * each backfill stopped, the one command that resumes them and the cancel for one of them, not that it stopped
     * before its first chunk.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_resume_of_several_tables_lost_part_way_says_where_each_backfill_stopped() throws Exception {
        var config = twoKilledBackfills("several", "shelves", "bins");
        ObserverProcess resume;
        try (Connection locker = rig.postgres.connect("bins attendance locker");
             Statement lock = locker.createStatement()) {
            lock.execute("select pg_advisory_lock(hashtext('pgobserver.backfill.attended'), hashtext('public.bins'))");
            resume = ObserverProcess.start("resume of several losing its session", rig.log, Map.of(), "backfill",
                    "--config", config.toString(), "--resume");
            String waiting = "from pg_stat_activity where wait_event_type = 'Lock' and query like "
                    + "'%pg_advisory_lock_shared%' and application_name like 'pg-observer backfill public.bins%'";
            await("the resume waits for the attendance of public.bins", Duration.ofMinutes(1),
                    () -> count("select count(*) " + waiting) == 1);
            count("select count(pg_terminate_backend(pid)) " + waiting);
            assertThat(resume.waitFor(60)).as(resume.output()).isEqualTo(1);
        }
        assertThat(resume.output()).contains("error: PostgreSQL at " + rig.postgres.jdbcUrl() + " stopped answering: "
                        + "backfill ", " of public.shelves stopped after 10 row(s) logged as read events out of ~40, "
                        + "last key 10; backfill ", " of public.bins stopped after 20 row(s) logged as read events out "
                        + "of ~40, last key 20 (each chunk commits whole, so no row is sent twice; cause: ", "); once "
                        + "it answers again, resume with: pg-observer backfill --config " + config + " --resume (or "
                        + "cancel one with 'pg-observer backfill --config " + config + " --cancel --table "
                        + "SCHEMA.TABLE')\n")
                .doesNotContain("before its first chunk").doesNotContain("--resume --table");
        ObserverProcess.Finished resumed = ObserverProcess.runToEnd("resume of several", rig.log, Map.of(),
                "backfill", "--config", config.toString(), "--resume");
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("of public.shelves finished: 40 row(s)", "of public.bins finished: 40 "
                + "row(s)");
    }

    /**
     * Ctrl-C during a --resume of several tables, while the first table's chunk waits for a writer: the error names
     * every backfill left unfinished, the one cut and the one whose turn had not come, with its rows of the
     * estimate and its last key, and ends with the one command that resumes them all; that command finishes both,
     * logging each row after the last key once.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void a_resume_of_several_tables_cut_by_a_signal_says_where_each_stands_and_resumes_them_all() throws Exception {
        var config = twoKilledBackfills("cut", "crates", "boxes");
        ObserverProcess cut;
        try (Connection writer = rig.postgres.connect("crates writer"); Statement update = writer.createStatement()) {
            writer.setAutoCommit(false);
            update.executeUpdate("update public.crates set n = 1 where id = 15"); // a row of the next chunk
            cut = ObserverProcess.start("resume of several cut by SIGINT", rig.log, Map.of(), "backfill", "--config",
                    config.toString(), "--resume");
            await("the chunk of public.crates waits for the writer", Duration.ofMinutes(1),
                    () -> count("select count(*) from pg_stat_activity where wait_event_type = 'Lock'") == 1);
            FaultSupport.signal("INT", cut.pid());
            await("the signal taken", Duration.ofMinutes(1), () -> cut.output().contains("SIGINT received"));
            writer.commit();
        }
        assertThat(cut.waitFor(60)).as(cut.output()).isEqualTo(1);
        String crates = "from pgobserver.backfills where table_name = 'public.crates' and state = 'running'";
        long cratesDone = count("select rows_done " + crates);
        assertThat(cratesDone).as("cut during the first table").isBetween(20L, 30L);
        String resumeAll = "pg-observer backfill --config " + config + " --resume";
        assertThat(cut.output()).contains("error: backfill ", " of public.crates stopped after " + cratesDone
                        + " row(s) logged as read events out of ~40, last key " + count("select last_key[1]::int "
                        + crates) + "; backfill ", " of public.boxes stopped after 20 row(s) logged as read events out "
                        + "of ~40, last key 20 (SIGINT; each chunk commits whole, so no row is sent twice); resume "
                        + "with: " + resumeAll + " (or cancel one with 'pg-observer backfill --config " + config
                        + " --cancel --table SCHEMA.TABLE')\n")
                .doesNotContain("--resume --table");
        ObserverProcess.Finished resumed = ObserverProcess.runToEnd("the resume it names", rig.log, Map.of(),
                resumeAll.substring("pg-observer ".length()).split(" "));
        assertThat(resumed.exitCode()).as(resumed.output()).isZero();
        assertThat(resumed.output()).contains("of public.crates finished: 40 row(s)", "of public.boxes finished: 40 "
                + "row(s)");
        for (String[] table : new String[][]{{"public.crates", "11"}, {"public.boxes", "21"}}) {
            String reads = "from pgobserver.change_log where kind = 'read' and entity_type = '" + table[0] + "'";
            long after = 41 - Long.parseLong(table[1]);
            assertThat(count("select count(*) " + reads)).as(table[0] + ": read events").isEqualTo(after);
            assertThat(count("select count(distinct entity_id) " + reads + " and entity_id::int >= " + table[1]))
                    .as(table[0] + ": each row after the last key, once").isEqualTo(after);
        }
    }

    /**
     * A configuration with an observer of each of two tables of 40 rows, both captured, and what two killed backfills
     * of them leave: progress after a chunk (10 rows, last key 10) and two (20, 20), and no process; analyzed, so
     * that the planner estimates their rows: 40.
     */
    private Path twoKilledBackfills(String name, String first, String second) throws Exception {
        var config = rig.config(name + ".yaml", "backfill-" + name, -1, "", """
                %s:
                  entity: public.%s
                  actions:
                    - { type: webhook, url: "%s" }
                %s:
                  entity: public.%s
                  actions:
                    - { type: webhook, url: "%s" }
                """.formatted(first, first, rig.hooks.url("/hooks/" + first), second, second,
                rig.hooks.url("/hooks/" + second)));
        rig.install(config, "public." + first);
        rig.install(config, "public." + second);
        try (Connection setup = rig.postgres.connect(name + " setup"); Statement sql = setup.createStatement()) {
            sql.execute("insert into pgobserver.backfills (table_name, chunk, last_key, rows_done) values "
                    + "('public.%s', 10, '{10}', 10), ('public.%s', 10, '{20}', 20)".formatted(first, second));
            sql.execute("analyze public." + first + ", public." + second);
        }
        return config;
    }

    private long count(String query) {
        try {
            return FaultSupport.queryLong(rig.postgres, query);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
