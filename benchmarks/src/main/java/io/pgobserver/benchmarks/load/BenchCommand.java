package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.config.Durations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code bench}: the end-to-end load run of docs/performance.md. An embedded PostgreSQL (or the one
 * {@code --jdbc-url} names), the real observer (booted as {@code run} boots it) with one observer whose actions are
 * webhooks, and a loopback receiver in a process of its own that notes when each event's webhook arrived; tracing
 * off (no-op adapter) and on (OpenTelemetry, 100% sampled, batch processor, OTLP/HTTP to the receiver process,
 * which discards) side by side in one process. Two modes: {@code drain} writes a backlog of {@code --events} first
 * and times the observer through it; {@code sustain} writes {@code --rate} events per second for {@code --duration}
 * while the observer runs, and measures each event's commit-to-webhook latency. Prints one table and writes the
 * charts ({@code --chart}); exit 1 when a run did not deliver every webhook.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load-test the observer end to end on an embedded PostgreSQL (or --jdbc-url) with a "
                + "loopback webhook receiver in a process of its own: drain a backlog, sustain a rate, tracing off "
                + "and on side by side; print a table and write SVG charts.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--events", paramLabel = "N", defaultValue = "20000",
            description = "Backlog size of the drain run (default: ${DEFAULT-VALUE}).")
    int events;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000",
            description = "Events per second written during the sustain run (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "20s",
            description = "Length of the sustain run's writing (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--tracing", paramLabel = "off|on", split = ",", defaultValue = "off,on",
            description = "Tracing settings to compare, in this order (default: ${DEFAULT-VALUE}).")
    List<String> tracing;

    @Option(names = "--mode", paramLabel = "drain|sustain", split = ",", defaultValue = "drain,sustain",
            description = "Runs to make (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--backlog", paramLabel = "ROWS", split = ",", defaultValue = "1000",
            description = "Rows per transaction when writing the drain backlog: a number, or 'all' for one transaction; "
                    + "a list drains each in turn, e.g. 1,all compares one-row transactions with one transaction "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> backlogs;

    @Option(names = "--actions", paramLabel = "N", defaultValue = "1",
            description = "Webhooks per event (default: ${DEFAULT-VALUE}).")
    int actions;

    @Option(names = "--payload-bytes", paramLabel = "BYTES", defaultValue = "64",
            description = "Size of the text column each row carries (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
            description = "listener.batch_size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "256",
            description = "listener.max_in_flight (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--span-queue", paramLabel = "N", defaultValue = "2048",
            description = "tracing.batch.max_queue_size with tracing on (default: ${DEFAULT-VALUE}).")
    int spanQueue;

    @Option(names = "--span-batch", paramLabel = "N", defaultValue = "512",
            description = "tracing.batch.max_export_batch_size with tracing on (default: ${DEFAULT-VALUE}).")
    int spanBatch;

    @Option(names = "--otlp-protocol", paramLabel = "http/protobuf|grpc", defaultValue = "http/protobuf",
            description = "tracing.protocol of the observer's OTLP span export with tracing on; the receiver process "
                    + "serves both (default: ${DEFAULT-VALUE}).")
    String otlpProtocol;

    @Option(names = "--otlp-compression", paramLabel = "none|gzip", defaultValue = "none",
            description = "OTEL_EXPORTER_OTLP_COMPRESSION for the observer's span export with tracing on "
                    + "(default: ${DEFAULT-VALUE}, the SDK's).")
    String otlpCompression;

    @Option(names = "--otlp-memory-mode", paramLabel = "immutable_data|reusable_data",
            description = "OTEL_JAVA_EXPORTER_MEMORY_MODE for the observer's OTLP span export with tracing on: "
                    + "reusable_data encodes each batch with marshalers the exporter keeps and reuses (default: unset, "
                    + "which is the SDK's reusable_data).")
    String otlpMemoryMode;

    @Option(names = "--sample-rate", paramLabel = "R", defaultValue = "1.0",
            description = "tracing.sample_rate with tracing on, from 0 to 1: the share of events traced, what a "
                    + "deployment that cannot pay for every span sets (default: ${DEFAULT-VALUE}, every event).")
    double sampleRate;

    @Option(names = "--span-export", paramLabel = "otlp|discard", defaultValue = "otlp",
            description = "With tracing on, where the batch processor's spans go: otlp sends them to the receiver "
                    + "process; discard hands them to an exporter that only counts them, so that a run pays for making "
                    + "and queueing every span but not for encoding and sending it (default: ${DEFAULT-VALUE}).")
    String spanExport;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Repeat each mode's runs N times and summarise by the median; within a round the tracing "
                    + "settings alternate and so do the backlog shapes, so that on a shared machine drift hits "
                    + "them alike (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--deduplicate", paramLabel = "true|false", defaultValue = "true", arity = "1",
            description = "listener.deduplicate: record each delivery (default: ${DEFAULT-VALUE}).")
    boolean deduplicate;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5000",
            description = "Events drained once per tracing setting and backlog shape before measuring, to warm the JIT "
                    + "(0: none; default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--chart", paramLabel = "FILE.svg|none", defaultValue = "bench-results.svg",
            description = "Where to write the SVG charts (throughput over time, latency percentiles, events/s per "
                    + "run), relative to the working directory; 'none' for no file (default: ${DEFAULT-VALUE}).")
    String chart;

    // The URL and the table name on lines of their own (%n): picocli ends a line after any '.', '/' or ':' in them.
    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Use this database, not an embedded one:"
                    + "%n  jdbc:postgresql://HOST:PORT/DB"
                    + "%nThe bench installs pgobserver's schema if absent, creates and owns its table"
                    + "%n  " + BenchRun.TABLE
                    + "%nand removes only its own rows: that table's, their change_log rows, and its consumers' "
                    + "(bench-*) positions and deliveries.")
    String jdbcUrl;

    @Option(names = "--user", paramLabel = "ROLE", description = "Role for --jdbc-url (default: postgres).")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", description = "Password for --jdbc-url (default: none).")
    String password;

    @Option(names = "--peer", paramLabel = "none|debezium", defaultValue = "none",
            description = "After the observer's runs, make the same drains and sustain with this peer on the same "
                    + "server, writer and receiver, and compare (default: ${DEFAULT-VALUE}).")
    PeerBench.Peer peer;

    @Option(names = "--write-overhead", paramLabel = "N", arity = "0..1", defaultValue = "0", fallbackValue = "5000",
            description = "Time N one-row insert transactions with no capture, with the observer's trigger and with "
                    + "Debezium's slot, and print what each costs (N: 5000 when left out; default: none).")
    int writeOverhead;

    @Spec
    CommandSpec spec;

    /**
     * Runs the load run on its own: {@code java -cp benchmarks/target/benchmarks.jar
     * io.pgobserver.benchmarks.load.BenchCommand --events 100000}. It boots the core found on the class path.
     */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration sustainFor;
        try {
            sustainFor = Durations.parse("--duration", duration);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        validate(sustainFor);
        PrintStream out = System.out;
        Path data = Files.createTempDirectory("pg-observer-bench");
        List<BenchResult> results = new ArrayList<>();
        PeerBench peerBench = new PeerBench(peer, writeOverhead);
        String machine;
        boolean finished = false;
        try (BenchReceivers receivers = BenchReceivers.start(data);
             EmbeddedPostgres postgres = jdbcUrl == null ? BenchDatabase.startEmbedded(out, data) : null) {
            out.println("[bench] receivers: pid " + receivers.pid() + " at " + receivers.baseUrl() + "; observer: pid "
                    + ProcessHandle.current().pid());
            BenchDatabase database = postgres == null
                    ? new BenchDatabase(jdbcUrl, user == null ? "postgres" : user, password, true)
                    : BenchDatabase.embedded(postgres.getPort());
            BenchRun.Setup setup = new BenchRun.Setup(database, receivers, actions, payloadBytes, batchSize,
                    maxInFlight, deduplicate, spanQueue, spanBatch, otlpProtocol, otlpCompression, otlpMemoryMode,
                    sampleRate, spanExport);
            machine = BenchRun.prepare(setup) + ", " + Runtime.getRuntime().availableProcessors()
                    + " CPUs, Java " + Runtime.version() + ", max heap "
                    + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB";
            out.println("[bench] " + database + ": " + machine);
            if (!Object.class.getModule().isOpen("java.lang", BenchCommand.class.getModule())) {
                // pg-observer.jar opens it in its manifest, which only java -jar honours.
                out.println("[bench] java.lang is not open to the observer as pg-observer.jar opens it: the OTLP "
                        + "exporter encodes span strings the slower way; add --add-opens java.base/java.lang="
                        + "ALL-UNNAMED to measure what pg-observer.jar does");
            }
            results.addAll(ObserverRuns.run(setup, tracing, modes, backlogs, rounds, events, rate, sustainFor, warmup,
                    out));
            results.addAll(peerBench.run(setup, modes, backlogs, events, rate, sustainFor, warmup, rounds, out));
            finished = true;
        } finally {
            // PostgreSQL deletes its data directory when it stops (clean data directory); this removes the rest.
            // The receivers' log stays when the run failed, and so does anything unexpected, for a look.
            Files.deleteIfExists(data.resolve("receivers.port"));
            if (finished) {
                Files.deleteIfExists(data.resolve("receivers.log"));
            }
            try {
                Files.deleteIfExists(data);
            } catch (DirectoryNotEmptyException e) {
                System.err.println("[bench] left " + data + " behind: it is not empty");
            }
        }
        out.println();
        out.print(BenchTable.of(results));
        if (!chart.equals("none")) {
            Path file = Path.of(chart).toAbsolutePath();
            BenchCharts.of(results, machine).write(file);
            out.println("[bench] charts: " + file);
        }
        out.print(peerBench.report(results));
        List<BenchResult> incomplete = results.stream().filter(r -> !r.complete()).toList();
        if (!incomplete.isEmpty()) {
            System.err.println("error: webhooks missing in " + incomplete);
            return 1;
        }
        return 0;
    }

    private void validate(Duration sustainFor) {
        if (events < 1 || rate < 1 || actions < 1 || rounds < 1 || batchSize < 1 || maxInFlight < 1
                || spanQueue < 1 || spanBatch < 1 || payloadBytes < 0 || warmup < 0 || writeOverhead < 0) {
            throw new ParameterException(spec.commandLine(), "--events, --rate, --actions, --rounds, --batch-size, "
                    + "--max-in-flight, --span-queue and --span-batch must be at least 1; --payload-bytes, "
                    + "--warmup and --write-overhead at least 0");
        }
        oneOf("--otlp-protocol", otlpProtocol, "http/protobuf", "grpc");
        oneOf("--otlp-compression", otlpCompression, "none", "gzip");
        if (otlpMemoryMode != null) {
            oneOf("--otlp-memory-mode", otlpMemoryMode, "immutable_data", "reusable_data");
        }
        oneOf("--span-export", spanExport, "otlp", "discard");
        if (!(sampleRate >= 0 && sampleRate <= 1)) {
            throw new ParameterException(spec.commandLine(), "--sample-rate takes a share from 0 to 1 (0.1: one event "
                    + "in ten traced), not " + sampleRate);
        }
        if (sustainFor.isZero() || sustainFor.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--duration must be positive");
        }
        if (!Set.of("off", "on").containsAll(tracing) || tracing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--tracing takes off, on or off,on: " + tracing);
        }
        if (!Set.of("drain", "sustain").containsAll(modes) || modes.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--mode takes drain, sustain or both: " + modes);
        }
        if (jdbcUrl == null && (user != null || password != null)) {
            throw new ParameterException(spec.commandLine(), "--user and --password are for --jdbc-url: the embedded "
                    + "database takes no credentials; add --jdbc-url jdbc:postgresql://HOST:PORT/DB or drop them");
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new ParameterException(spec.commandLine(), "--jdbc-url takes jdbc:postgresql://HOST:PORT/DB: "
                    + jdbcUrl);
        }
        if (!chart.equals("none") && !chart.endsWith(".svg")) {
            throw new ParameterException(spec.commandLine(), "--chart takes a file name ending in .svg, or none: "
                    + chart);
        }
        for (String backlog : backlogs) {
            if (!backlog.equals("all") && !backlog.matches("[1-9][0-9]{0,8}")) {
                throw new ParameterException(spec.commandLine(), "--backlog takes rows per transaction (a number "
                        + "from 1) or 'all', as a comma-separated list: " + backlogs);
            }
        }
    }

    private void oneOf(String option, String value, String one, String other) {
        if (!value.equals(one) && !value.equals(other)) {
            throw new ParameterException(spec.commandLine(), option + " must be " + one + " or " + other + ", not "
                    + value);
        }
    }
}
