package io.pgobserver.adapters.postgres;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.spi.Lifecycle;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class MigrationsIT {

    @Test
    void aSecondStartIsANoOpAndHistoryLivesInTheSchema() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        Database first = TestPostgres.startedDatabase(settings);
        first.stop();
        Database second = TestPostgres.startedDatabase(settings);
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement()) {
            assertThat(strings(statement, "select version from pgobserver.flyway_schema_history "
                    + "where success and version is not null order by installed_rank"))
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13");
            assertThat(strings(statement, "select table_name from information_schema.tables "
                    + "where table_schema = 'pgobserver' order by 1"))
                    .containsExactly("backfills", "batches", "change_log", "checkpoints", "dead_letters", "deliveries",
                            "flyway_schema_history", "parked_events", "retention_horizon", "snapshot_takers");
            assertThat(strings(statement, "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
                    + "where nspname = 'pgobserver' order by 1")).containsExactly("assign_transaction_id", "capture", "notify_listeners", "take_snapshot");
            assertThat(strings(statement, "select count(*) from pg_tables where schemaname = 'public'"))
                    .containsExactly("0");
        } finally {
            second.stop();
        }
    }

    /**
     * An install of the first release, at position (txid T, offset I) with rows of T on both sides of I and of
     * later transactions, and rows written after its last run: after the migration the consumer resumes with the
     * rest of T, then everything later, and repeats nothing before its old position. Its dead letter joins it.
     */
    @Test
    void aFirstReleasePositionIsResumedWithoutSkippingOrRepeating() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        migrateTo(settings, "1");
        List<Long> done = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        String positionTxid;
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement()) {
            done.addAll(insert(statement, "before", 3));
            connection.setAutoCommit(false);
            List<Long> ofT = insert(statement, "at", 4);
            positionTxid = strings(statement, "select pg_current_xact_id()::text").getFirst();
            connection.commit();
            connection.setAutoCommit(true);
            done.addAll(ofT.subList(0, 2));
            expected.addAll(ofT.subList(2, 4));
            expected.addAll(insert(statement, "later", 2));
            statement.execute("insert into pgobserver.checkpoints (consumer, txid, \"offset\") values ('legacy', '"
                    + positionTxid + "', " + ofT.get(1) + ")");
            statement.execute("""
                    insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind,
                        occurred_at, observer, action_index, action_type, error, attempts, failed_at)
                    values ('e-1', 1, 1, 'public.orders', '1', 'created', now(), 'shipped', 1, 'webhook', 'HTTP 500',
                        3, now())
                    """);
            expected.addAll(insert(statement, "after the last run", 2));
        }

        Database database = TestPostgres.startedDatabase(settings);
        PostgresChangeSource source = new PostgresChangeSource(database,
                TestPostgres.listener("legacy", Duration.ofMillis(200)));
        try {
            CheckpointStore.Resume resume = new JdbiCheckpointStore(database).claim("legacy");
            assertThat(resume.checkpoint()).isEqualTo(new Checkpoint(1, done.getLast()));
            assertThat(resume.recorded()).hasSize(1);
            assertThat(resume.dispatched().covers(2, expected.getLast())).isTrue();

            List<Long> read = new ArrayList<>();
            Batch first = resume.recorded().getFirst();
            source.read(first, resume.checkpoint().afterId(), 100).events().forEach(e -> read.add(e.position().offset()));
            source.read(first.then(source.snapshot()), 0, 100).events().forEach(e -> read.add(e.position().offset()));
            assertThat(read).isEqualTo(expected).doesNotContainAnyElementsOf(done);

            List<DeadLetter> letters = new JdbiDeadLetters(database).list("legacy", 10);
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.actionKey()).isEqualTo("webhook-1");
                assertThat(letter.observer()).isEqualTo("shipped");
            });
        } finally {
            source.stop();
            database.stop();
        }
    }

    /**
     * A consumer of the release before bounded reads, half-way through a batch whose snapshots carry no bounds,
     * with a transaction that was running at the batch's start and committed in it: after the migration it
     * finishes that batch, and the next, the slower way, then reads bounded batches, skipping and repeating
     * nothing.
     */
    @Test
    void batchesRecordedWithoutBoundsAreResumedExactly() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        migrateTo(settings, "2");
        List<Long> expected = new ArrayList<>();
        long afterId;
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement();
             Connection open = TestPostgres.connect(settings); Statement openStatement = open.createStatement()) {
            List<Long> firstBatch = insert(statement, "first batch", 3);
            open.setAutoCommit(false);
            List<Long> late = insert(openStatement, "running at the second batch start", 2);
            List<Long> younger = insert(statement, "a younger transaction that finished", 1);
            String s1 = strings(statement, "select pg_current_snapshot()::text").getFirst();
            assertThat(s1).as("the open transaction is in the snapshot's list").doesNotEndWith(":");
            List<Long> secondBatch = insert(statement, "second batch", 4);
            open.commit();
            String s2 = strings(statement, "select pg_current_snapshot()::text").getFirst();
            // Batch 2 holds the late committer's rows and the second batch's; its first two are done.
            List<Long> batchTwo = new ArrayList<>(late);
            batchTwo.addAll(secondBatch);
            batchTwo.sort(null);
            afterId = batchTwo.get(1);
            expected.addAll(batchTwo.subList(2, batchTwo.size()));
            expected.addAll(insert(statement, "after the last run", 2));
            statement.execute("insert into pgobserver.checkpoints (consumer, epoch, batch, after_id) "
                    + "values ('v2', 3, 2, " + afterId + ")");
            statement.execute("insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to) values "
                    + "('v2', 1, '1:1:', '" + s1 + "'), ('v2', 2, '" + s1 + "', '" + s2 + "')");
            assertThat(firstBatch).allMatch(id -> id < late.getFirst());
            assertThat(younger.getFirst()).isGreaterThan(late.getLast()).isLessThan(secondBatch.getFirst());
        }

        Database database = TestPostgres.startedDatabase(settings);
        PostgresChangeSource source = new PostgresChangeSource(database,
                TestPostgres.listener("v2", Duration.ofMillis(200)));
        try {
            CheckpointStore.Resume resume = new JdbiCheckpointStore(database).claim("v2");
            assertThat(resume.checkpoint()).isEqualTo(new Checkpoint(2, afterId));
            assertThat(resume.done().bounded()).isFalse();
            Batch second = resume.recorded().getFirst();
            assertThat(second.from().bounded()).isFalse();
            List<Long> read = new ArrayList<>();
            source.read(second, afterId, 100).events().forEach(e -> read.add(e.position().offset()));
            Batch third = second.then(source.snapshot());
            source.read(third, 0, 100).events().forEach(e -> read.add(e.position().offset()));
            assertThat(read).isEqualTo(expected);

            try (Connection connection = TestPostgres.connect(settings);
                 Statement statement = connection.createStatement()) {
                List<Long> later = insert(statement, "after the migration", 3);
                Batch fourth = third.then(source.snapshot());
                assertThat(BatchQuery.bounded(fourth)).isTrue();
                assertThat(source.read(fourth, 0, 100).events()).extracting(e -> e.position().offset())
                        .isEqualTo(later);
                assertThat(strings(statement, "select from_taker_xid from pgobserver.batches "
                        + "where consumer = 'v2' and seq = 1")).as("the origin's bounds, filled in")
                        .containsExactly("0");
            }
        } finally {
            source.stop();
            database.stop();
        }
    }

    /**
     * Each migration applies over the rows the release before it wrote, in every table it had (an upgrade by any
     * number of releases at once goes through each of them), and keeps them: no table loses a row, change_log keeps
     * every row as it was. The rows of each release are in {@code db/rows-by-release/V<n>.sql}; a migration that
     * creates a table adds its file there, or this test names the empty table.
     */
    @Test
    void everyMigrationAppliesOverTheRowsOfTheReleaseBefore() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        List<String> versions = Arrays.stream(releaseMigrations(settings, null).info().all())
                .map(m -> m.getVersion().getVersion()).toList();
        Map<String, Long> rowsBefore = Map.of();
        List<String> logBefore = List.of();
        for (String version : versions) {
            releaseMigrations(settings, version).migrate();
            try (Connection connection = TestPostgres.connect(settings);
                 Statement statement = connection.createStatement()) {
                Map<String, Long> rows = rowCounts(statement);
                for (Map.Entry<String, Long> before : rowsBefore.entrySet()) {
                    assertThat(rows.get(before.getKey())).as("rows of %s after V%s", before.getKey(), version)
                            .isGreaterThanOrEqualTo(before.getValue());
                }
                assertThat(strings(statement, CHANGE_LOG)).as("change_log after V" + version)
                        .containsExactlyElementsOf(logBefore);
                URL releaseRows = MigrationsIT.class.getResource("/db/rows-by-release/V" + version + ".sql");
                if (releaseRows != null) {
                    statement.execute(new String(releaseRows.openStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                statement.execute("insert into public.orders values (" + (100 + Integer.parseInt(version))
                        + ", 'at version " + version + "')");
                rowsBefore = rowCounts(statement);
                rowsBefore.forEach((table, count) -> assertThat(count).as("rows in %s at version %s: add them to "
                        + "db/rows-by-release/V%s.sql", table, version, version).isPositive());
                logBefore = strings(statement, CHANGE_LOG);
            }
        }
        TestPostgres.startedDatabase(settings).stop(); // this release starts over them
    }

    private static final String CHANGE_LOG = "select id || ' ' || txid || ' ' || entity_type || ' ' || entity_id || ' '"
            + " || kind || ' ' || coalesce(after::text, '') from pgobserver.change_log order by id";

    private static Map<String, Long> rowCounts(Statement statement) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (String table : strings(statement, "select table_name from information_schema.tables where table_schema "
                + "= 'pgobserver' and table_name <> 'flyway_schema_history'")) {
            counts.put(table, Long.parseLong(strings(statement, "select count(*) from pgobserver." + table)
                    .getFirst()));
        }
        return counts;
    }

    /**
     * A schema a newer release migrated (here to a version 14 that adds a column), and this release starting on it:
     * a downgrade, or a rolling deploy's older process restarting. Flyway leaves versions it does not know alone, and
     * the start goes on, since a migration keeps what the releases before it use; the log and install's summary
     * say that the schema is newer and that nothing was undone.
     */
    @Test
    void aSchemaANewerReleaseMigratedIsRunOnAndSaidSo() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        TestPostgres.startedDatabase(settings).stop();
        TestPostgres.execute(settings, "alter table pgobserver.change_log add column region text",
                "insert into pgobserver.flyway_schema_history (installed_rank, version, description, type, script, "
                        + "checksum, installed_by, execution_time, success) values (14, '14', 'newer', 'SQL', "
                        + "'V14__newer.sql', 0, 'postgres', 0, true)");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(SchemaMigrations.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        Database database;
        try {
            database = TestPostgres.startedDatabase(settings);
        } finally {
            logger.detachAppender(log);
        }
        try {
            assertThat(database.schemaChange().summary()).isEqualTo("at version 14, newer than this release's 13: "
                    + "a newer release migrated it, and this one runs on it as it is");
            assertThat(log.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                    .contains("schema at " + database.describe() + " is at version 14, newer than this "
                            + "pg-observer's 13: a newer release migrated it")
                    .contains("undoes nothing"));
            assertThat(new JdbiCheckpointStore(database).claim("after a downgrade").checkpoint()).isNotNull();
        } finally {
            database.stop();
        }
    }

    /**
     * A least-privilege role (it may use the schema's tables, owns nothing, cannot create): it starts a release whose
     * migrations are applied, and the first start of a newer release, which must migrate, names what it lacks.
     */
    @Test
    void aRoleThatMayOnlyUseTheTablesRunsThisReleaseAndIsToldWhatMigratingNeeds() {
        DatabaseSettings settings = TestPostgres.newDatabase();
        migrateTo(settings, "10");
        String name = settings.url().substring(settings.url().lastIndexOf('/') + 1);
        TestPostgres.execute(settings, "create role pgobserver_app login",
                "grant usage on schema pgobserver to pgobserver_app",
                "grant select, insert, update, delete on all tables in schema pgobserver to pgobserver_app",
                "grant usage, select on all sequences in schema pgobserver to pgobserver_app");
        DatabaseSettings app = new DatabaseSettings(settings.url(), "pgobserver_app", null);
        try {
            assertThatThrownBy(() -> TestPostgres.startedDatabase(app))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot migrate the pgobserver schema at " + settings.url())
                    .hasMessageContaining("permission denied for schema pgobserver")
                    .hasMessageContaining("set database.user to that role, or make pgobserver_app a member of it");
            TestPostgres.startedDatabase(settings).stop();
            Database started = TestPostgres.startedDatabase(app);
            try {
                assertThat(new JdbiCheckpointStore(started).claim("least privilege").checkpoint()).isNotNull();
            } finally {
                started.stop();
            }
        } finally {
            TestPostgres.execute(settings, "drop owned by pgobserver_app", "drop role pgobserver_app");
        }
    }

    /**
     * The migrations this jar carries differ from those applied (a jar built from another branch, the history
     * edited): Flyway's validation refuses to go on and advises its own repair command, which pg-observer does not
     * have. The message says which release to start instead, and it is no outage to wait out: exit 2.
     */
    @Test
    void migrationsThatDifferFromThoseAppliedNameTheReleaseToStart() {
        DatabaseSettings settings = TestPostgres.newDatabase();
        TestPostgres.startedDatabase(settings).stop();
        TestPostgres.execute(settings, "update pgobserver.flyway_schema_history set checksum = 1 where version = '3'");
        assertThatThrownBy(() -> TestPostgres.startedDatabase(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot migrate the pgobserver schema at " + settings.url())
                .hasMessageContaining("checksum mismatch for migration version 3")
                .hasMessageContaining("The migrations of this pg-observer differ from those applied to the schema")
                .hasMessageContaining("start the release that migrated it, or a later one")
                .message().doesNotContain("run repair");
    }

    /** Bounded reads need ids in time order: a sequence that hands out blocks per session is refused. */
    @Test
    void anIdSequenceWithACacheIsRefusedWithTheFix() {
        DatabaseSettings settings = TestPostgres.newDatabase();
        migrateTo(settings, "2");
        TestPostgres.execute(settings, "alter table pgobserver.change_log alter column id set cache 20");
        assertThatThrownBy(() -> TestPostgres.startedDatabase(settings))
                .hasStackTraceContaining("must have CACHE 1")
                .hasStackTraceContaining("alter table pgobserver.change_log alter column id set cache 1");
        TestPostgres.execute(settings, "alter table pgobserver.change_log alter column id set cache 1");
        TestPostgres.startedDatabase(settings).stop();
    }

    /**
     * A migration may keep the server silent longer than the pool's bound on silence (a large table rewritten, the
     * writers' locks waited for): it waits as long as it takes instead of failing at every start. Here the bound is
     * 1 s (a socketTimeout in the URL), and the first migration waits twice that for another session that is creating
     * the same schema, then goes on once that session rolls back.
     */
    @Test
    void aMigrationWaitsLongerThanTheBoundOnSilence() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        DatabaseSettings bounded = new DatabaseSettings(settings.url() + "?socketTimeout=1", settings.user(), null);
        try (Connection other = TestPostgres.connect(settings); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("create schema " + Database.SCHEMA);
            CompletableFuture<Database> start = CompletableFuture.supplyAsync(() -> TestPostgres.startedDatabase(bounded));
            awaitASessionWaitingForALock(settings);
            Thread.sleep(2_000); // twice the bound: a bounded migration has failed by now
            other.rollback();
            start.get(60, TimeUnit.SECONDS).stop(); // started: every migration ran
        }
    }

    /**
     * A migration that alters change_log waits for every open transaction that has written to it (an application's,
     * through the capture trigger), and the application's other writes queue behind the waiting migration: unbounded,
     * one long transaction stopped every captured table's writes for as long as it ran. The migration gives up after
     * 5 s instead, names who holds the lock, and is tried again ({@code run} waits it out as an outage); the writes
     * go through meanwhile. A stop during the wait (its interrupt, which does not end the wait) finds the start's pool
     * closed whole: before, the close saw the interrupt, logged "Interrupted during closing" at WARN and stopped short.
     */
    @Test
    void aMigrationWaitingForAWritersLockDoesNotHoldTheOtherWritesBehindIt() throws Exception {
        DatabaseSettings settings = TestPostgres.newDatabase();
        migrateTo(settings, "5"); // V6 alters change_log
        ListAppender<ILoggingEvent> hikari = new ListAppender<>();
        Logger pool = (Logger) LoggerFactory.getLogger("com.zaxxer.hikari");
        hikari.start();
        pool.addAppender(hikari);
        try (Connection open = TestPostgres.connect(settings); Statement statement = open.createStatement()) {
            open.setAutoCommit(false);
            insert(statement, "a long transaction", 1);
            CompletableFuture<Database> start = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Thread starter = Thread.ofPlatform().daemon().start(() -> {
                try {
                    start.complete(TestPostgres.startedDatabase(settings));
                } catch (RuntimeException e) {
                    start.completeExceptionally(e);
                }
                interruptKept.complete(Thread.interrupted());
            });
            awaitASessionWaitingForALock(settings);
            starter.interrupt(); // as a stop during the start does
            CompletableFuture<List<Long>> write = CompletableFuture.supplyAsync(() -> {
                try (Connection other = TestPostgres.connect(settings); Statement insert = other.createStatement()) {
                    return insert(insert, "another writer", 1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(write.get(60, TimeUnit.SECONDS)).as("the other write, while the long one is open").hasSize(1);
            Throwable gaveUp = catchThrowable(() -> start.get(60, TimeUnit.SECONDS)).getCause().getCause();
            assertThat(gaveUp).as("an outage run waits out").isInstanceOf(Lifecycle.Unavailable.class)
                    .hasMessageContaining("waited 5 s for a lock on its tables")
                    .hasMessageContaining("idle in transaction since")
                    .hasMessageContaining("tries again")
                    .as("the command that gave up, whichever it was, to be run again")
                    .hasMessageEndingWith("any other command (install, backfill, replay, dlq replay): run it again "
                            + "once those transactions have ended");
            assertThat(((Lifecycle.Unavailable) gaveUp).reason()).startsWith("a lock it needs is held by the "
                    + "transactions of session ");
            assertThat(interruptKept.get(60, TimeUnit.SECONDS)).as("the stop's interrupt, kept for the start").isTrue();
            assertThat(hikari.list).as("what the pool logged at WARN")
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
            open.commit();
        } finally {
            pool.detachAppender(hikari);
        }
        Database database = TestPostgres.startedDatabase(settings);
        assertThat(database.schemaChange().after()).isEqualTo("13");
        database.stop();
    }

    private static void awaitASessionWaitingForALock(DatabaseSettings settings) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection connection = TestPostgres.connect(settings); Statement statement = connection.createStatement()) {
            while (strings(statement, "select pid from pg_stat_activity where datname = current_database() "
                    + "and wait_event_type = 'Lock'").isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no migration waited for the schema's lock within 30 s");
                }
                Thread.sleep(20);
            }
        }
    }

    /** Migrates a new database as an older release left it. */
    private static void migrateTo(DatabaseSettings settings, String version) {
        releaseMigrations(settings, version).migrate();
    }

    /** This release's migrations up to {@code version} (all of them when null), as the release of that version had. */
    private static Flyway releaseMigrations(DatabaseSettings settings, String version) {
        var configuration = Flyway.configure(Database.class.getClassLoader())
                .dataSource(settings.url(), settings.user(), null)
                .schemas(Database.SCHEMA).defaultSchema(Database.SCHEMA).createSchemas(true)
                .locations("classpath:db/pgobserver").placeholderReplacement(false);
        return (version == null ? configuration : configuration.target(version)).load();
    }

    private static List<Long> insert(Statement statement, String status, int rows) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("""
                insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                select 'public.orders', g::text, 'created', jsonb_build_object('status', '%s')
                  from generate_series(1, %d) g
                returning id
                """.formatted(status, rows))) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        ids.sort(null);
        return ids;
    }

    private static List<String> strings(Statement statement, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
