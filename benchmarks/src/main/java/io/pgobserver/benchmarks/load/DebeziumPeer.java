package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.spi.RunningObserver;
import io.pgobserver.domain.trace.TraceContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debezium as the observer's peer on the same server, the same table, the same writer and the same receiver: a
 * drain of a backlog and a sustained rate, measured as {@link BenchRun} measures the observer, reported with
 * tracing {@code debezium} so the table puts it beside {@code off} and {@code on}.
 *
 * <p>The writer is the observer's own {@link ApplicationDatabase}, from an observer booted for the purpose whose
 * pipeline never starts; the table's capture trigger is dropped for these runs, so Debezium's numbers carry no
 * trigger's cost.
 */
final class DebeziumPeer implements AutoCloseable {

    static final String TRACING = "debezium";
    /** The core's name for its capture trigger: dropped so the peer's runs write as an uncaptured application. */
    private static final String CAPTURE_TRIGGER = "pgobserver_capture";

    private final BenchRun.Setup setup;
    private final RunningObserver writer;
    private final ApplicationDatabase database;
    private final Path offsets;

    private DebeziumPeer(BenchRun.Setup setup, RunningObserver writer, Path offsets) {
        this.setup = setup;
        this.writer = writer;
        this.database = writer.applicationDatabase();
        this.offsets = offsets;
    }

    static DebeziumPeer open(BenchRun.Setup setup) throws Exception {
        Path offsets = Files.createTempDirectory("pg-observer-bench-debezium").resolve("offsets.dat");
        RunningObserver writer = BenchRun.Observer.host().boot(ObserverSettings.yaml(setup, "off", "bench-peer"),
                Map.of(), List.of());
        DebeziumPeer peer = new DebeziumPeer(setup, writer, offsets);
        try {
            peer.requireLogicalWal();
            peer.dropCapture();
            return peer;
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    /** Debezium decodes the WAL: a server without wal_level=logical is refused with what to change. */
    private void requireLogicalWal() {
        Object level = database.run(Statement.of("show wal_level"));
        if (!"logical".equals(String.valueOf(level))) {
            throw new IllegalStateException("--peer debezium and --write-overhead need wal_level=logical on "
                    + setup.database() + ", which has wal_level=" + level + ": set it in postgresql.conf (with "
                    + "max_replication_slots and max_wal_senders of at least 1) and restart the server");
        }
    }

    ApplicationDatabase database() {
        return database;
    }

    /**
     * Makes Debezium's slot (its engine started once, until it streams, then stopped with its offset), writes the
     * backlog, then starts the engine again and times it until every change arrived: a drain from a backlog, as the
     * observer's drain is.
     */
    BenchResult drain(int round, int events, int rowsPerTransaction, String label) throws Exception {
        reset();
        startEngine().close();
        setup.receivers().expect(events, 1);
        Backlog.write(database, events, rowsPerTransaction, setup.payloadBytes());
        BenchRun.Measurement measurement = BenchRun.Measurement.begin(setup.receivers());
        long started = System.nanoTime();
        try (EmbeddedDebezium engine = startEngine()) {
            awaitDelivery(engine, events);
            BenchRun.Measurement.Taken taken = measurement.end();
            // The last arrival, not when the wait saw it: the engine's start returns at its first heartbeat, which
            // a small backlog may follow.
            long finished = Backlog.lastArrival(setup.receivers(), events);
            return result(label, round, events, started, (finished - started) / 1e9, new long[0], taken);
        }
    }

    /** Starts the engine, writes {@code rate} rows per second for {@code duration} and waits for every change. */
    BenchResult sustain(int round, int rate, Duration duration) throws Exception {
        int events = (int) Math.min(Integer.MAX_VALUE - 1, (long) rate * duration.toMillis() / 1000);
        reset();
        setup.receivers().expect(events, 1);
        try (EmbeddedDebezium engine = startEngine()) {
            BenchRun.Measurement measurement = BenchRun.Measurement.begin(setup.receivers());
            long started = System.nanoTime();
            long[] committed = PacedWriter.write((from, to) -> database.commit(TraceContext.NONE, List.of(
                    Statement.of(BenchRun.Observer.INSERT, setup.payloadBytes(), from, to))), rate, events);
            long finished = awaitDelivery(engine, events);
            BenchRun.Measurement.Taken taken = measurement.end();
            return result("sustain", round, events, started, (finished - started) / 1e9,
                    PacedWriter.latenciesMicros(setup.receivers(), committed), taken);
        }
    }

    /** As the observer's runs wait; a shortfall comes with the engine's reason when it stopped on its own. */
    private long awaitDelivery(EmbeddedDebezium engine, int events) throws InterruptedException {
        long finished = BenchRun.awaitDelivery(setup.receivers(), events);
        if (setup.receivers().delivered() < events && engine.failure() != null) {
            System.err.println("[bench] Debezium stopped: " + engine.failure());
        }
        return finished;
    }

    private BenchResult result(String mode, int round, int events, long started, double seconds, long[] latencies,
                               BenchRun.Measurement.Taken taken) {
        Arrivals arrivals = Arrivals.of(setup.receivers().arrivals());
        return new BenchResult(mode, TRACING, round, BenchRun.loadAverage(), events, taken.receivers().delivered(),
                events, seconds, latencies, taken.cpuSeconds(), taken.peakHeapMiB(), taken.heapAfterGcMiB(), 0, 0,
                mode.startsWith("drain") ? arrivals.rate(events, 0.20, 0.95) : Double.NaN,
                taken.receiverCpuSeconds(), arrivals.perBucket(started, BenchResult.BUCKET.toNanos()));
    }

    /** The engine, posting to the receiver's first action with the observer's bound on requests in flight. */
    EmbeddedDebezium startEngine() throws InterruptedException {
        return EmbeddedDebezium.start(setup.database(), offsets, BenchRun.TABLE,
                setup.receivers().baseUrl() + "/hooks/0", setup.maxInFlight());
    }

    /** No slot, no publication, no offsets, an empty table: each run reads only its own rows. */
    void reset() throws Exception {
        dropSlot();
        Files.deleteIfExists(offsets);
        database.run(Statement.of("truncate " + BenchRun.TABLE));
    }

    void installCapture() throws Exception {
        writer.installCapture(BenchRun.TABLE, "id");
    }

    void dropCapture() {
        database.run(Statement.of("drop trigger if exists " + CAPTURE_TRIGGER + " on " + BenchRun.TABLE));
    }

    /**
     * Drops the slot once no session reads it: a stopped engine's replication connection ends on the server a moment
     * after the engine returned, and an active slot cannot be dropped.
     */
    private void dropSlot() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"0".equals(database.run(Statement.of("select count(*) from pg_replication_slots where slot_name = ? "
                + "and active", EmbeddedDebezium.SLOT))) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        database.run(Statement.of("select count(pg_drop_replication_slot(slot_name)) from pg_replication_slots "
                + "where slot_name = ?", EmbeddedDebezium.SLOT));
        database.run(Statement.of("drop publication if exists " + EmbeddedDebezium.PUBLICATION));
    }

    /** Drops the slot (a slot left behind keeps the server's WAL forever) and stops the writer's observer. */
    @Override
    public void close() throws Exception {
        try {
            dropSlot();
            Files.deleteIfExists(offsets);
            Files.deleteIfExists(offsets.getParent());
        } finally {
            writer.close();
        }
    }
}
