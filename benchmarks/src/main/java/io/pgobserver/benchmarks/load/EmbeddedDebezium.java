package io.pgobserver.benchmarks.load;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Debezium's embedded engine on its PostgreSQL connector, configured as its documentation has a user configure it:
 * {@code pgoutput} (built into the server, nothing to install), a replication slot and a publication of its own
 * for the bench table only, offsets in a file, JSON without schemas. It streams; it takes no snapshot
 * ({@code snapshot.mode=no_data}), so what it reads is what was written after its slot was made.
 */
final class EmbeddedDebezium implements AutoCloseable {

    static final String SLOT = "bench_debezium";
    static final String PUBLICATION = "bench_debezium";
    private static final String TOPIC_PREFIX = "bench";
    /** Every heartbeat carries the position read so far, so an engine that streamed has an offset to resume from. */
    private static final int HEARTBEAT_MILLIS = 100;
    private static final Duration START = Duration.ofSeconds(60);

    private final DebeziumEngine<ChangeEvent<String, String>> engine;
    private final DebeziumWebhooks webhooks;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("bench-debezium-engine").factory());
    private final AtomicReference<String> failure = new AtomicReference<>();

    private EmbeddedDebezium(BenchDatabase database, Path offsets, DebeziumWebhooks webhooks) {
        this.webhooks = webhooks;
        this.engine = DebeziumEngine.create(Json.class)
                .using(properties(database, offsets))
                .notifying(webhooks)
                .using((success, message, error) -> {
                    if (!success) {
                        failure.compareAndSet(null, message + (error == null ? "" : ": " + error));
                    }
                })
                .build();
    }

    /**
     * Starts the engine posting each change of {@code table} to {@code url}, and returns once it streams: a
     * heartbeat passed through the consumer, so its slot exists and it holds an offset.
     */
    static EmbeddedDebezium start(BenchDatabase database, Path offsets, String table, String url, int maxInFlight)
            throws InterruptedException {
        DebeziumWebhooks webhooks = new DebeziumWebhooks(url, TOPIC_PREFIX + "." + table, maxInFlight);
        EmbeddedDebezium debezium = new EmbeddedDebezium(database, offsets, webhooks);
        debezium.executor.execute(debezium.engine);
        long deadline = System.nanoTime() + START.toNanos();
        while (webhooks.heartbeats() == 0) {
            if (debezium.failure.get() != null || System.nanoTime() > deadline) {
                String why = debezium.failure.get();
                debezium.close();
                throw new IllegalStateException("Debezium did not stream within " + START
                        + (why == null ? "" : ": " + why));
            }
            Thread.sleep(5);
        }
        return debezium;
    }

    private static Properties properties(BenchDatabase database, Path offsets) {
        Properties p = new Properties();
        p.setProperty("name", "bench-debezium");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsets.toString());
        p.setProperty("offset.flush.interval.ms", "1000");
        p.setProperty("topic.prefix", TOPIC_PREFIX);
        p.setProperty("database.hostname", database.host());
        p.setProperty("database.port", Integer.toString(database.port()));
        p.setProperty("database.user", database.user());
        p.setProperty("database.password", database.password() == null ? "" : database.password());
        p.setProperty("database.dbname", database.name());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", SLOT);
        p.setProperty("publication.name", PUBLICATION);
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("table.include.list", BenchRun.TABLE);
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty("heartbeat.interval.ms", Integer.toString(HEARTBEAT_MILLIS));
        // The connector's queue is polled every 500 ms by default when it was empty: a latency floor no user who
        // cares about latency keeps. 10 ms gives the peer the same footing as the observer's LISTEN/NOTIFY wake-up.
        p.setProperty("poll.interval.ms", "10");
        p.setProperty("converter.schemas.enable", "false");
        return p;
    }

    /** Why the engine stopped on its own, or null while it runs. */
    String failure() {
        return failure.get();
    }

    /** Stops the engine; it commits the offsets of what was marked processed. */
    @Override
    public void close() {
        try {
            engine.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop Debezium", e);
        } finally {
            executor.shutdown();
            try {
                if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
