package io.pgobserver.adapters.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionJobIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private Snapshot afterFive;
    private Snapshot afterTen;

    /** Ten rows, each in a transaction of its own, the first eight of them old; snapshots after the 5th and 10th. */
    @BeforeEach
    void tenEventsOfWhichTheFirstEightAreOld() throws Exception {
        DB.execute("truncate pgobserver.change_log", "truncate pgobserver.checkpoints", "truncate pgobserver.batches",
                "truncate pgobserver.deliveries", "truncate pgobserver.parked_events",
                "truncate pgobserver.dead_letters");
        PostgresChangeSource source = new PostgresChangeSource(DB.database(),
                TestPostgres.listener("it", Duration.ofMillis(200)));
        try {
            for (int i = 1; i <= 10; i++) {
                DB.execute("insert into pgobserver.change_log (entity_type, entity_id, kind, after) "
                        + "values ('public.orders', '" + i + "', 'created', '{}')");
                if (i == 5) {
                    afterFive = source.snapshot();
                }
            }
            afterTen = source.snapshot();
        } finally {
            source.stop();
        }
        DB.execute("update pgobserver.change_log set occurred_at = now() - interval '2 days' where entity_id::int <= 8");
    }

    /** The consumer has done every batch up to one ending at {@code done}. */
    private static void doneUpTo(JdbiCheckpointStore checkpoints, String consumer, Snapshot... done) throws Exception {
        CheckpointStore.Resume resume = checkpoints.claim(consumer);
        Batch batch = new Batch(resume.checkpoint().batch() - 1, Snapshot.ORIGIN, resume.done());
        for (Snapshot next : done) {
            batch = batch.then(next);
            checkpoints.dispatching(resume.fence(), batch, Long.MAX_VALUE);
        }
        checkpoints.save(resume.fence(), new Checkpoint(batch.seq() + 1, 0));
    }

    @Test
    void deletesOldRowsEveryConsumerHasPassedOnly() throws Exception {
        JdbiCheckpointStore checkpoints = new JdbiCheckpointStore(DB.database());
        doneUpTo(checkpoints, "fast", afterTen);
        doneUpTo(checkpoints, "slow", afterFive);
        RetentionJob job = job(Duration.ofDays(1));

        assertThat(job.runOnce()).isEqualTo(5);
        assertThat(remainingIds()).isEqualTo(List.of("6", "7", "8", "9", "10"));

        doneUpTo(checkpoints, "slow", afterTen);
        assertThat(job.runOnce()).isEqualTo(3);
        assertThat(remainingIds()).as("rows younger than the retention stay").isEqualTo(List.of("9", "10"));
    }

    /** What retention deleted is recorded, so a replay of a stretch it reached is refused and one after it is not. */
    @Test
    void aReplayKnowsWhereRetentionDeleted() throws Exception {
        DB.execute("update pgobserver.retention_horizon set max_deleted_id = 0, max_deleted_at = '-infinity'");
        PostgresChangeHistory history = new PostgresChangeHistory(DB.database(),
                TestPostgres.listener("it", Duration.ofMillis(200)));
        var stretch = io.pgobserver.domain.port.ChangeHistory.Stretch.positions(rowId("5"), rowId("10"));
        assertThat(history.removedPart(stretch)).isEmpty();
        doneUpTo(new JdbiCheckpointStore(DB.database()), "it", afterFive);
        job(Duration.ofDays(1)).runOnce();

        assertThat(history.removedPart(stretch)).get().asString().contains("replay from position " + rowId("6"));
        assertThat(history.removedPart(io.pgobserver.domain.port.ChangeHistory.Stretch.positions(rowId("6"),
                rowId("10")))).isEmpty();
        java.time.Instant now = java.time.Instant.now();
        assertThat(history.removedPart(io.pgobserver.domain.port.ChangeHistory.Stretch.between(
                now.minus(Duration.ofDays(3)), now))).isPresent();
        assertThat(history.removedPart(io.pgobserver.domain.port.ChangeHistory.Stretch.between(
                now.minus(Duration.ofDays(1)), now))).isEmpty();
        assertThat(history.read(io.pgobserver.domain.port.ChangeHistory.Stretch.positions(rowId("6"), rowId("8")),
                "public.orders", 0, 10).events()).extracting(e -> e.entityId()).containsExactly("6", "7", "8");
    }

    @Test
    void aConsumerThatNeverFinishedABatchKeepsEveryRow() throws Exception {
        JdbiCheckpointStore checkpoints = new JdbiCheckpointStore(DB.database());
        doneUpTo(checkpoints, "fast", afterTen);
        checkpoints.claim("new");
        assertThat(job(Duration.ofDays(1)).runOnce()).isZero();
        assertThat(remainingIds()).hasSize(10);
    }

    @Test
    void withoutAnyCheckpointNothingIsDeleted() throws Exception {
        assertThat(job(Duration.ofDays(1)).runOnce()).isZero();
        assertThat(remainingIds()).hasSize(10);
    }

    @Test
    void oldDeliveryRecordsArePruned() throws Exception {
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
        deliveries.record("msg_old");
        deliveries.record("msg_new");
        DB.execute("update pgobserver.deliveries set delivered_at = now() - interval '2 days' where delivery_id = 'msg_old'");
        job(Duration.ofDays(1)).runOnce();
        assertThat(deliveries.settled(List.of("msg_old", "msg_new"))).containsExactly("msg_new");
    }

    /** A record goes only once its event can never run again: its row passed by every consumer, and not parked. */
    @Test
    void oldDeliveryRecordsStayWhileTheirEventMayRunAgain() throws Exception {
        doneUpTo(new JdbiCheckpointStore(DB.database()), "it", afterFive);
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
        deliveries.record(null, rowId("3"), List.of("msg_passed"));
        deliveries.record(null, rowId("7"), List.of("msg_not_passed"));
        deliveries.record(null, rowId("2"), List.of("msg_parked"));
        DB.execute("insert into pgobserver.parked_events (consumer, queue, \"offset\", event_id, txid, entity_type, "
                + "entity_id, kind, occurred_at) select 'it', 'public.orders\\0' || entity_id, id, event_id::text, 0, "
                + "entity_type, entity_id, kind, occurred_at from pgobserver.change_log where entity_id = '2'",
                "update pgobserver.deliveries set delivered_at = now() - interval '2 days'");

        job(Duration.ofDays(1)).runOnce();

        assertThat(remainingIds()).as("rows 1-5 passed and old").isEqualTo(List.of("6", "7", "8", "9", "10"));
        assertThat(deliveries.settled(List.of("msg_passed", "msg_not_passed", "msg_parked")))
                .containsExactlyInAnyOrder("msg_not_passed", "msg_parked");
    }

    /**
     * A dead letter can run again (dlq replay) long after its change_log row is gone: the records of its event (an
     * email's recipients reached, kept under its delivery id) stay until the letter leaves the queue, or the replay
     * mails them again.
     */
    @Test
    void oldDeliveryRecordsStayWhileADeadLetterHoldsTheirEvent() throws Exception {
        doneUpTo(new JdbiCheckpointStore(DB.database()), "it", afterFive);
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database(), TestPostgres.listener("it", Duration.ofSeconds(1)));
        deliveries.record(null, rowId("3"), List.of("msg_lettered", "msg_lettered/0a1b"));
        deliveries.record(null, rowId("4"), List.of("msg_done/2c3d"));
        DB.execute("insert into pgobserver.dead_letters (consumer, event_id, txid, \"offset\", entity_type, entity_id, "
                + "kind, after, occurred_at, observer, action_index, action_key, action_type, error, attempts, "
                + "failed_at) select 'it', event_id::text, 0, id, entity_type, entity_id, kind, after, occurred_at, "
                + "'o', 0, 'k', 'email', 'deferred', 5, now() from pgobserver.change_log where entity_id = '3'",
                "update pgobserver.deliveries set delivered_at = now() - interval '2 days'");
        RetentionJob job = job(Duration.ofDays(1));

        job.runOnce();

        assertThat(remainingIds()).as("rows 1-5 passed and old").isEqualTo(List.of("6", "7", "8", "9", "10"));
        assertThat(deliveries.settled(List.of("msg_lettered", "msg_lettered/0a1b", "msg_done/2c3d")))
                .containsExactlyInAnyOrder("msg_lettered", "msg_lettered/0a1b");

        DB.execute("delete from pgobserver.dead_letters");
        job.runOnce();
        assertThat(deliveries.settled(List.of("msg_lettered", "msg_lettered/0a1b"))).isEmpty();
    }

    /**
     * After a long outage the dead-letter queue holds many letters, more than there are old delivery records: each
     * record's letters are looked up through an index, never by reading the whole queue for every chunk (as an anti
     * join the planner took every record for held, and hashed all the letters).
     */
    @Test
    void deliveryRecordsLookTheirDeadLettersUpThroughAnIndex() throws Exception {
        DB.execute("insert into pgobserver.dead_letters (consumer, event_id, txid, \"offset\", entity_type, "
                        + "entity_id, kind, occurred_at, observer, action_index, action_key, action_type, error, "
                        + "attempts, failed_at) "
                        + "select 'it', g::text, 0, g, 'public.orders', g::text, 'created', now(), 'o', 0, 'k', "
                        + "'webhook', 'HTTP 503', 5, now() from generate_series(1, 100000) g",
                "insert into pgobserver.deliveries (delivery_id, delivered_at, consumer, change_log_id) "
                        + "select 'msg_' || g, now() - interval '2 days', 'it', g * 10 "
                        + "from generate_series(1, 20000) g",
                "analyze pgobserver.dead_letters", "analyze pgobserver.deliveries", "analyze pgobserver.change_log");

        List<String> scans = scansOf("dead_letters", DB.database().jdbi().withHandle(handle -> handle
                .createQuery("explain (format json) " + RetentionJob.DELETE_DELIVERIES)
                .bind("seconds", 86400.0).bind("chunk", 10_000).bind("afterAt", (Object) null)
                .bind("afterId", (Object) null).mapTo(String.class).one()));

        assertThat(scans).as("how the plan reads dead_letters").isNotEmpty()
                .allMatch(scan -> scan.endsWith(" dead_letters_offset_idx"));
        JdbiDeliveries deliveries = new JdbiDeliveries(DB.database(),
                TestPostgres.listener("it", Duration.ofSeconds(1)));
        job(Duration.ofDays(1)).runOnce();
        assertThat(deliveries.settled(List.of("msg_1", "msg_10000", "msg_10001", "msg_20000")))
                .as("records whose event a letter holds").containsExactlyInAnyOrder("msg_1", "msg_10000");
    }

    /**
     * A held record stays old: when a receiver was down for long, many held records (here by dead letters, which a
     * dlq replay may still run) come before the ones that can go. A chunk looks at the old records after the last one
     * the chunk before looked at, so a pass checks each old record once, not every held one again for every chunk.
     */
    @Test
    void aPassChecksEachOldRecordOnceHoweverManyAreHeld() throws Exception {
        int held = 2 * RetentionJob.CHUNK;
        int deletable = 3 * RetentionJob.CHUNK / 2;
        DB.execute("insert into pgobserver.dead_letters (consumer, event_id, txid, \"offset\", entity_type, "
                        + "entity_id, kind, occurred_at, observer, action_index, action_key, action_type, error, "
                        + "attempts, failed_at) "
                        + "select 'it', g::text, 0, g, 'public.orders', g::text, 'created', now(), 'o', 0, 'k', "
                        + "'webhook', 'HTTP 503', 5, now() from generate_series(1, " + held + ") g",
                "insert into pgobserver.deliveries (delivery_id, delivered_at, consumer, change_log_id) "
                        + "select 'msg_' || lpad(g::text, 6, '0'), now() - interval '3 days' + g * interval '1 ms', "
                        + "'it', g from generate_series(1, " + (held + deletable) + ") g",
                "insert into pgobserver.deliveries (delivery_id, consumer, change_log_id) "
                        + "select 'young_' || g, 'it', g from generate_series(1, 100) g",
                "analyze pgobserver.dead_letters", "analyze pgobserver.deliveries");

        String firstChunk = DB.database().jdbi().withHandle(handle -> handle
                .createQuery("explain (analyze, format json) " + RetentionJob.DELETE_DELIVERIES)
                .bind("seconds", 86400.0).bind("chunk", RetentionJob.CHUNK).bind("afterAt", (Object) null)
                .bind("afterId", (Object) null).mapTo(String.class).one());

        assertThat(nodesReading("dead_letters", firstChunk)).as("how often the first chunk looked for a dead letter")
                .extracting(node -> node.get("Actual Loops").asInt())
                .isNotEmpty().allMatch(loops -> loops <= RetentionJob.CHUNK);
        assertThat(scansOf("deliveries", firstChunk)).as("how the first chunk reads and deletes the records")
                .filteredOn(scan -> !scan.equals("ModifyTable"))
                .containsExactlyInAnyOrder("Index Scan deliveries_delivered_at_idx", "Index Scan deliveries_pkey");
        job(Duration.ofDays(1)).runOnce();
        List<Integer> left = DB.database().jdbi().withHandle(handle -> handle.createQuery("select count(*) filter "
                + "(where delivery_id like 'msg_%' and change_log_id <= " + held + "), count(*) filter (where "
                + "delivery_id like 'young_%'), count(*) from pgobserver.deliveries")
                .map((rs, ctx) -> List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3))).one());
        assertThat(left).as("held, young and all records left")
                .isEqualTo(List.of(held, 100, held + 100));
    }

    /**
     * A plan made while no event was parked is not kept for a burst of parked events: the driver prepares the
     * statement after a few runs on one connection, and PostgreSQL may then keep one generic plan, which scanned
     * every parked event for every record (1,000 records over 20,000 parked events read 20,000,000 of them).
     * Counted in pg_stat_user_tables: the chunk's connections are closed first, which sends their counts.
     */
    @Test
    void aBurstOfParkedEventsIsProbedThroughTheKeyWhateverThePlanBefore() throws Exception {
        int records = 1000;
        DB.execute("analyze pgobserver.deliveries", "analyze pgobserver.parked_events",
                "analyze pgobserver.dead_letters", "analyze pgobserver.change_log");
        Database database = TestPostgres.startedDatabase(DB.settings());
        long[] before;
        try {
            RetentionJob job = job(database, Duration.ofDays(1));
            // The driver prepares the statement at its 5th run; PostgreSQL weighs a generic plan from the 6th on.
            for (int pass = 0; pass < 12; pass++) {
                job.runOnce();
            }
            before = parkedEventScans(0);
            DB.execute("insert into pgobserver.parked_events (consumer, queue, \"offset\", event_id, txid, "
                            + "entity_type, entity_id, kind, occurred_at) select 'it', 'public.orders\\0' || "
                            + "(g % 100), 1000000 + g, g::text, 0, 'public.orders', (g % 100)::text, 'created', now() "
                            + "from generate_series(1, 20000) g",
                    "insert into pgobserver.deliveries (delivery_id, delivered_at, consumer, change_log_id) "
                            + "select 'msg_' || g, now() - interval '2 days', 'it', 2000000 + g "
                            + "from generate_series(1, " + records + ") g");
            job.runOnce();
        } finally {
            database.stop();
        }
        long[] after = parkedEventScans(before[0] + records);

        assertThat(after[1] - before[1]).as("parked events read to probe %d records", records)
                .isLessThanOrEqualTo(records);
    }

    /**
     * Scans of parked_events so far and the rows they read, once the statistics count at least {@code scans} scans
     * (they reach pg_stat_user_tables a moment after a connection closes).
     */
    private static long[] parkedEventScans(long scans) throws Exception {
        try (Connection connection = TestPostgres.connect(DB.settings())) {
            for (int tries = 0; ; tries++) {
                connection.createStatement().execute("select pg_stat_clear_snapshot()");
                try (ResultSet rs = connection.createStatement().executeQuery("select coalesce(t.seq_scan, 0) "
                        + "+ coalesce(t.idx_scan, 0), coalesce(t.seq_tup_read, 0) + (select coalesce(sum("
                        + "i.idx_tup_read), 0) from pg_stat_user_indexes i where i.relid = t.relid) "
                        + "from pg_stat_user_tables t where t.relid = 'pgobserver.parked_events'::regclass")) {
                    rs.next();
                    long[] counts = {rs.getLong(1), rs.getLong(2)};
                    if (counts[0] >= scans) {
                        return counts;
                    }
                }
                assertThat(tries).as("tries until the statistics count %d scans of parked_events", scans)
                        .isLessThan(300);
                Thread.sleep(100);
            }
        }
    }

    /** The plan's nodes that read {@code table}: their type and index, such as "Index Only Scan dead_letters_idx". */
    private static List<String> scansOf(String table, String plan) throws Exception {
        List<String> scans = new ArrayList<>();
        for (JsonNode node : nodesReading(table, plan)) {
            // A bitmap scan names its index on its child, the Bitmap Index Scan.
            String index = node.path("Index Name").asText(node.path("Plans").path(0).path("Index Name").asText());
            scans.add((node.get("Node Type").asText() + " " + index).strip());
        }
        return scans;
    }

    private static List<JsonNode> nodesReading(String table, String plan) throws Exception {
        List<JsonNode> reading = new ArrayList<>();
        ArrayDeque<JsonNode> nodes = new ArrayDeque<>();
        nodes.add(new ObjectMapper().readTree(plan).get(0).get("Plan"));
        while (!nodes.isEmpty()) {
            JsonNode node = nodes.pop();
            if (table.equals(node.path("Relation Name").asText())) {
                reading.add(node);
            }
            node.path("Plans").forEach(nodes::add);
        }
        return reading;
    }

    private static long rowId(String entityId) throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             ResultSet rs = connection.createStatement().executeQuery(
                     "select id from pgobserver.change_log where entity_id = '" + entityId + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void offByDefault() throws Exception {
        doneUpTo(new JdbiCheckpointStore(DB.database()), "fast", afterTen);
        RetentionJob job = new RetentionJob(DB.database(), ListenerSettings.defaults());
        job.start();
        job.stop();
        assertThat(job.runOnce()).isZero();
        assertThat(remainingIds()).hasSize(10);
        assertThat(RetentionJob.interval(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
        assertThat(RetentionJob.interval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(10));
    }

    /** The log says the retention and its period as the configuration writes durations, not as PT24H. */
    @Test
    void startingSaysTheRetentionAndItsPeriodInTheConfigurationsWords() {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RetentionJob.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
                new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        RetentionJob job = job(Duration.ofDays(1));
        try {
            job.start();
        } finally {
            job.stop();
            logger.detachAppender(log);
        }
        assertThat(log.list).extracting(e -> e.getFormattedMessage()).containsExactly("Retention on: change_log rows "
                + "older than 24h and behind every checkpoint are deleted every 1h");
    }

    private static RetentionJob job(Duration retention) {
        return job(DB.database(), retention);
    }

    private static RetentionJob job(Database database, Duration retention) {
        return new RetentionJob(database, new ListenerSettings("it", 100, Duration.ofSeconds(1), 16,
                1000, Duration.ofMillis(200), retention));
    }

    private static List<String> remainingIds() throws SQLException {
        try (Connection connection = TestPostgres.connect(DB.settings());
             ResultSet rs = connection.createStatement()
                     .executeQuery("select entity_id from pgobserver.change_log order by id")) {
            List<String> ids = new java.util.ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }
}
