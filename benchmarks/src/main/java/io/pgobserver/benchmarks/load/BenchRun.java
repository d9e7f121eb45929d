package io.pgobserver.benchmarks.load;

import io.pgobserver.benchmarks.sdkplugin.BenchDiscardExporter;
import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.spi.ObserverHost;
import io.pgobserver.domain.spi.RunningObserver;
import io.pgobserver.domain.trace.TraceContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One measured run: boots the observer for a tracing setting (a fresh injector, as a process start would),
 * writes the events, waits until every webhook arrived, and measures. Each run starts with none of the bench's
 * rows left ({@link BenchDatabase#reset}: every table on the embedded server, only the bench's own on another) and a
 * consumer of its own, so no run reads another's events.
 */
final class BenchRun {

    static final String TABLE = "public.bench_orders";
    /** How long a run may go without a new webhook before it is given up as stuck. */
    private static final Duration STALL = Duration.ofSeconds(60);
    /** How long one wait for the run's end may take in the receiver process before the bench checks for a stall. */
    private static final Duration AWAIT_STEP = Duration.ofSeconds(1);
    private static final double MIB = 1024.0 * 1024.0;

    private BenchRun() {
    }

    /** What every run shares. */
    record Setup(BenchDatabase database, BenchReceivers receivers, int actions, int payloadBytes,
                 int batchSize, int maxInFlight, boolean deduplicate, int spanQueue, int spanBatch,
                 String otlpProtocol, String otlpCompression, String otlpMemoryMode, double sampleRate,
                 String spanExport) {
    }

    /**
     * Creates the table the runs write to, once, through an observer booted for the purpose (which also migrates
     * its schema, so no measured run pays for that); returns the server's version for the report.
     */
    static String prepare(Setup setup) throws Exception {
        try (RunningObserver running = Observer.host().boot(ObserverSettings.yaml(setup, "off", "bench-prepare"), Map.of(),
                List.of())) {
            ApplicationDatabase database = running.applicationDatabase();
            database.run(Statement.of("create table if not exists " + TABLE
                    + " (id bigint primary key, payload text not null)"));
            return "PostgreSQL " + database.run(Statement.of("show server_version"));
        }
    }

    /**
     * Writes {@code events} rows in transactions of {@code rowsPerTransaction} rows, then starts the observer and
     * times it until every webhook arrived.
     */
    static BenchResult drain(Setup setup, String tracing, int round, int events, int rowsPerTransaction)
            throws Exception {
        long discarded = BenchDiscardExporter.discarded();
        BenchResult result;
        try (Observer observer = Observer.boot(setup, tracing, "drain")) {
            setup.receivers().expect(events, setup.actions());
            Backlog.write(observer.database, events, rowsPerTransaction, setup.payloadBytes());
            Measurement measurement = Measurement.begin(setup.receivers());
            long started = System.nanoTime();
            observer.start();
            long finished = awaitDelivery(setup.receivers(), events * setup.actions());
            Measurement.Taken taken = measurement.end();
            Arrivals arrivals = Arrivals.of(setup.receivers().arrivals());
            result = new BenchResult("drain", tracing, round, loadAverage(), events, taken.receivers().delivered(),
                    events * setup.actions(), (finished - started) / 1e9, new long[0], taken.cpuSeconds(),
                    taken.peakHeapMiB(), taken.heapAfterGcMiB(), taken.receivers().otlpBytes() / 1024.0,
                    taken.receivers().otlpSpans(),
                    arrivals.rate(events, 0.20, 0.95), taken.receiverCpuSeconds(),
                    arrivals.perBucket(started, BenchResult.BUCKET.toNanos()));
        }
        return result.withSpansAfterStop(setup.receivers(), BenchDiscardExporter.discarded() - discarded);
    }

    /**
     * Starts the observer, then writes {@code rate} events per second for {@code duration} (small transactions
     * every millisecond or so, each row's commit time noted by the writer), and waits for every webhook.
     */
    static BenchResult sustain(Setup setup, String tracing, int round, int rate, Duration duration) throws Exception {
        int events = (int) Math.min(Integer.MAX_VALUE - 1, (long) rate * duration.toMillis() / 1000);
        long discarded = BenchDiscardExporter.discarded();
        BenchResult result;
        try (Observer observer = Observer.boot(setup, tracing, "sustain")) {
            setup.receivers().expect(events, setup.actions());
            observer.start();
            observer.awaitActive();
            Measurement measurement = Measurement.begin(setup.receivers());
            long started = System.nanoTime();
            long[] committed = PacedWriter.write((from, to) -> observer.insert(from, to, setup.payloadBytes()), rate,
                    events);
            long finished = awaitDelivery(setup.receivers(), events * setup.actions());
            Measurement.Taken taken = measurement.end();
            long[] firstArrivals = setup.receivers().arrivals();
            long[] latencies = PacedWriter.latenciesMicros(setup.receivers(), committed);
            result = new BenchResult("sustain", tracing, round, loadAverage(), events, taken.receivers().delivered(),
                    events * setup.actions(), (finished - started) / 1e9, latencies, taken.cpuSeconds(),
                    taken.peakHeapMiB(), taken.heapAfterGcMiB(), taken.receivers().otlpBytes() / 1024.0,
                    taken.receivers().otlpSpans(), Double.NaN,
                    taken.receiverCpuSeconds(), Arrivals.of(firstArrivals).perBucket(started,
                            BenchResult.BUCKET.toNanos()));
        }
        return result.withSpansAfterStop(setup.receivers(), BenchDiscardExporter.discarded() - discarded);
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Waits until {@code expected} webhooks arrived; returns the time the receiver process noted for the last (on
     * the clock this process reads too), so how long the answer took does not count. Gives up after a stall. Each
     * request waits in the receiver process for up to a second: polling every few milliseconds would cost both
     * processes CPU that the run's figures would then carry.
     */
    static long awaitDelivery(BenchReceivers receivers, int expected) {
        int seen = -1;
        long lastChange = System.nanoTime();
        while (true) {
            BenchReceivers.Stats stats = receivers.awaitAll(AWAIT_STEP);
            long now = System.nanoTime();
            if (stats.delivered() != seen) {
                seen = stats.delivered();
                lastChange = now;
            }
            if (stats.delivered() >= expected) {
                return stats.lastArrivalNanos();
            }
            if (now - lastChange > STALL.toNanos()) {
                // The result shows the shortfall, and the command exits 1.
                return stats.lastArrivalNanos() != 0 ? stats.lastArrivalNanos() : lastChange;
            }
        }
    }

    /**
     * The observer as {@code run} boots it, through the core's {@link ObserverHost} (found with
     * {@link ServiceLoader}: the benchmarks name no class of the core): services started, capture installed, tables
     * emptied, and the pipeline started only when the measurement begins.
     */
    static final class Observer implements AutoCloseable {
        /** One statement text for every chunk: the server prepares it once per connection and reuses the plan. */
        static final String INSERT = "insert into " + TABLE
                + " (id, payload) select g, repeat('x', ?) from generate_series(?, ?) g";

        private final RunningObserver running;
        private final ApplicationDatabase database;

        private Observer(RunningObserver running) {
            this.running = running;
            this.database = running.applicationDatabase();
        }

        static ObserverHost host() {
            return ServiceLoader.load(ObserverHost.class).findFirst().orElseThrow(() ->
                    new IllegalStateException("no pg-observer core on the class path (the bootstrap module)"));
        }

        static Observer boot(Setup setup, String tracing, String mode) throws Exception {
            String consumer = "bench-" + mode + "-" + tracing;
            // The run's own settings only: OTEL_* or DATABASE_URL in the environment must not change what is measured.
            RunningObserver running = host().boot(ObserverSettings.yaml(setup, tracing, consumer),
                    ObserverSettings.environment(setup, tracing),
                    List.of());
            try {
                running.installCapture(TABLE, "id");
                Observer observer = new Observer(running);
                observer.database.commit(TraceContext.NONE, setup.database().reset(TABLE, consumer));
                return observer;
            } catch (Exception e) {
                running.close();
                throw e;
            }
        }

        /** Writes rows {@code fromId..toId} in one transaction, as the application would. */
        void insert(int fromId, int toId, int payloadBytes) {
            database.commit(TraceContext.NONE, List.of(Statement.of(INSERT, payloadBytes, fromId, toId)));
        }


        void start() {
            running.startPipeline();
        }

        /** The application's database as this observer's host plays it: the bench's writer. */
        ApplicationDatabase database() {
            return database;
        }

        void awaitActive() throws InterruptedException {
            long deadline = System.nanoTime() + STALL.toNanos();
            while (!running.isActive()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the observer did not become active within " + STALL);
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() {
            running.close();
        }
    }

    /**
     * CPU and heap over a run: this process's CPU time and the receiver process's (as it reports it), heap sampled
     * every 50 ms, heap after a full GC at the end.
     */
    static final class Measurement {
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean sampling = new AtomicBoolean(true);
        private final BenchReceivers receivers;
        private final long receiverCpuAtStart;
        private final long cpuAtStart;
        private final Thread sampler;

        /** @param receivers the receiver process's counts at the end of the run */
        record Taken(double cpuSeconds, double peakHeapMiB, double heapAfterGcMiB, double receiverCpuSeconds,
                     BenchReceivers.Stats receivers) {
        }

        private Measurement(BenchReceivers receivers) {
            System.gc();
            this.receivers = receivers;
            receiverCpuAtStart = receivers.stats().cpuNanos();
            cpuAtStart = os.getProcessCpuTime();
            sampler = Thread.ofPlatform().daemon().name("bench-heap-sampler").start(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            });
        }

        static Measurement begin(BenchReceivers receivers) {
            return new Measurement(receivers);
        }

        Taken end() throws InterruptedException {
            double cpu = (os.getProcessCpuTime() - cpuAtStart) / 1e9;
            BenchReceivers.Stats stats = receivers.stats();
            sampling.set(false);
            sampler.join();
            System.gc();
            return new Taken(cpu, peak.get() / MIB, memory.getHeapMemoryUsage().getUsed() / MIB,
                    (stats.cpuNanos() - receiverCpuAtStart) / 1e9, stats);
        }
    }
}
