package io.pgobserver.benchmarks.load;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load run's far ends as the bench sees them: a {@link ReceiverProcess} started in a JVM of its own (the same
 * {@code java} and class path as this one), spoken to over its control API. The child's output goes to
 * {@code receivers.log} in the run's directory; it ends in {@link #close()}, in a shutdown hook should the bench end
 * otherwise, and by itself when the bench's process is gone.
 */
final class BenchReceivers implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Process process;
    private final Thread destroyOnExit;
    private final String baseUrl;
    private final String grpcUrl;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** The last run's arrivals once fetched; dropped whenever more may have come (see {@link #firstArrival}). */
    private long[] arrivals;

    /** What the receiver process counted since the last {@link #expect}, and its own CPU time since it started. */
    record Stats(int delivered, int duplicates, long otlpRequests, long otlpBytes, long otlpSpans,
                 long lastArrivalNanos, long cpuNanos, long pid) {
    }

    private BenchReceivers(Process process, Thread destroyOnExit, String baseUrl, String grpcUrl) {
        this.process = process;
        this.destroyOnExit = destroyOnExit;
        this.baseUrl = baseUrl;
        this.grpcUrl = grpcUrl;
    }

    /** Starts the receiver process, logging to {@code directory/receivers.log}, and waits until it listens. */
    static BenchReceivers start(Path directory) throws IOException, InterruptedException {
        Path portFile = directory.resolve("receivers.port");
        Path log = directory.resolve("receivers.log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A small heap and one GC thread: it answers requests and keeps one array, and shares the machine's cores
        // with what is measured.
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), ReceiverProcess.class.getName(), portFile.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread destroyOnExit = new Thread(process::destroyForcibly, "bench-receivers-stop");
        Runtime.getRuntime().addShutdownHook(destroyOnExit);
        try {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (!Files.exists(portFile)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the receiver process ended with exit code " + process.exitValue()
                            + " before it listened; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the receiver process did not listen within " + STARTUP
                            + "; see " + log);
                }
                Thread.sleep(10);
            }
            String[] ports = Files.readString(portFile).trim().split(" ");
            return new BenchReceivers(process, destroyOnExit, "http://127.0.0.1:" + Integer.parseInt(ports[0]),
                    "http://127.0.0.1:" + Integer.parseInt(ports[1]));
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            Runtime.getRuntime().removeShutdownHook(destroyOnExit);
            throw e;
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    /** Where the observer sends its spans over {@code protocol} ({@code tracing.protocol}). */
    String otlpEndpoint(String protocol) {
        return protocol.equals("grpc") ? grpcUrl : baseUrl;
    }

    /** The receiver process's id: not this JVM's. */
    long pid() {
        return process.pid();
    }

    /** Resets the counts (webhooks and OTLP) for a run of events with ids 1..events, each with {@code actions} webhooks. */
    void expect(int events, int actions) {
        arrivals = null;
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(baseUrl + "/control/expect?events=" + events + "&actions=" + actions))
                .POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 204) {
            throw new IllegalStateException("the receiver process refused expect(" + events + ", " + actions + "): "
                    + response.statusCode());
        }
    }

    Stats stats() {
        return stats(baseUrl + "/control/stats");
    }

    /** The stats once every expected webhook has arrived, or after {@code timeout}, whichever comes first. */
    Stats awaitAll(Duration timeout) {
        return stats(baseUrl + "/control/await?timeout_ms=" + timeout.toMillis());
    }

    private Stats stats(String url) {
        arrivals = null;
        String body = send(HttpRequest.newBuilder(URI.create(url)).GET(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> values = new HashMap<>();
        body.lines().map(line -> line.split("=", 2)).forEach(kv -> values.put(kv[0], Long.parseLong(kv[1])));
        return new Stats(values.get("delivered").intValue(), values.get("duplicates").intValue(),
                values.get("otlp_requests"), values.get("otlp_bytes"), values.get("otlp_spans"),
                values.get("last_arrival_nanos"),
                values.get("cpu_nanos"), values.get("pid"));
    }

    /** Webhooks that arrived, each (event, action) counted once. */
    int delivered() {
        return stats().delivered();
    }

    int duplicates() {
        return stats().duplicates();
    }

    long otlpRequests() {
        return stats().otlpRequests();
    }

    long otlpBytes() {
        return stats().otlpBytes();
    }

    /**
     * The {@link System#nanoTime()} (of the receiver process: the same monotonic clock as this one's, see
     * {@link ReceiverProcess}) of each id's first webhook, index 0 unused, 0 where none came.
     */
    long[] arrivals() {
        byte[] body = send(HttpRequest.newBuilder(URI.create(baseUrl + "/control/arrivals")).GET(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        long[] times = new long[body.length / Long.BYTES];
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            for (int i = 0; i < times.length; i++) {
                times[i] = in.readLong();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return times;
    }

    /**
     * When the event's first webhook arrived, 0 when none did: read from one fetch of {@link #arrivals()}, taken
     * at the first call after the counts were last read or reset, so a loop over every id costs one request.
     */
    long firstArrival(int eventId) {
        if (arrivals == null) {
            arrivals = arrivals();
        }
        return eventId < arrivals.length ? arrivals[eventId] : 0;
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException("the receiver process did not answer"
                    + (process.isAlive() ? "" : " (it ended with exit code " + process.exitValue() + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the receiver process", e);
        }
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(destroyOnExit);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway, and destroying an ended process does nothing.
        }
    }
}
