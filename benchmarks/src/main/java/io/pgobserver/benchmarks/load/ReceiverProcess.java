package io.pgobserver.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * The load run's far ends, in a JVM of their own so that the measured JVM holds only the observer and the writer:
 * one JDK {@code HttpServer} on loopback with a webhook receiver that notes when each event's webhook first arrived
 * ({@code /hooks/<action index>}, the event's row id read from the body's {@code entity_id}), an OTLP/HTTP endpoint
 * ({@code /v1/traces}) that counts span batches and discards them, the same for OTLP/gRPC on a port of its own
 * ({@link OtlpGrpcReceiver}), and the bench's control API:
 * <ul>
 *   <li>{@code POST /control/expect?events=N&actions=A}: forget the last run, expect ids 1..N with A webhooks each;</li>
 *   <li>{@code GET /control/stats}: {@code key=value} lines (delivered, duplicates, otlp_requests, otlp_bytes, otlp_spans,
 *       last_arrival_nanos, cpu_nanos, pid);</li>
 *   <li>{@code GET /control/await?timeout_ms=T}: the same lines, once every expected webhook has arrived or after T
 *       ms, whichever is first. The bench waits for a run's end with it: one request a second rather than a poll
 *       every few milliseconds, which both processes would pay for during the run;</li>
 *   <li>{@code GET /control/arrivals}: N+1 big-endian longs, the {@link System#nanoTime()} of each id's first
 *       webhook (index 0 unused; 0 where none came).</li>
 * </ul>
 * Arrival times are {@code System.nanoTime()} of this process. On Linux that is {@code CLOCK_MONOTONIC}, one clock
 * for every process on the machine, so the bench subtracts its own commit times from them directly.
 * Each webhook is answered at once, so the receiver adds as little as it can to the run.
 *
 * <p>Run by {@link BenchReceivers}: {@code ReceiverProcess PORT_FILE} writes the ports it listens on (HTTP, then
 * gRPC) to {@code PORT_FILE} and ends when its parent process does (even a parent killed outright).
 */
public final class ReceiverProcess implements AutoCloseable {

    private static final byte[] ENTITY_ID = "\"entity_id\":\"".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final OtlpTally tally;
    private final OtlpGrpcReceiver grpc;
    private volatile ExpectedRun expected = new ExpectedRun(0, 1);

    private ReceiverProcess(HttpServer http, OtlpTally otlp, OtlpGrpcReceiver grpc) {
        this.http = http;
        this.tally = otlp;
        this.grpc = grpc;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ReceiverProcess PORT_FILE");
            System.exit(2);
        }
        // Dies with the bench even when the bench is killed without running its shutdown hooks.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        ReceiverProcess receiver = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            receiver.close();
            stopped.countDown();
        }));
        Path portFile = Path.of(args[0]);
        Path written = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(written, receiver.port() + " " + receiver.grpcPort());
        // Atomic, so the bench never reads half a number.
        Files.move(written, portFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("[receivers] pid " + ProcessHandle.current().pid() + " listening on " + receiver.baseUrl());
        stopped.await();
    }

    /** Starts the HTTP server and the OTLP/gRPC one, each on an ephemeral loopback port. */
    static ReceiverProcess start() throws IOException {
        OtlpTally otlp = new OtlpTally();
        OtlpGrpcReceiver grpc = OtlpGrpcReceiver.start(otlp);
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            grpc.close();
            throw e;
        }
        ReceiverProcess receiver = new ReceiverProcess(http, otlp, grpc);
        http.createContext("/hooks/", receiver::webhook);
        http.createContext("/v1/traces", receiver::otlp);
        http.createContext("/control/expect", receiver::expect);
        http.createContext("/control/stats", receiver::stats);
        http.createContext("/control/await", receiver::await);
        http.createContext("/control/arrivals", receiver::arrivals);
        http.setExecutor(receiver.executor);
        http.start();
        return receiver;
    }

    int port() {
        return http.getAddress().getPort();
    }

    /** The OTLP/gRPC endpoint's port. */
    int grpcPort() {
        return grpc.port();
    }

    String baseUrl() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    private void webhook(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = exchange.getRequestURI().getPath();
            int action = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            int id = entityId(body);
            if (!expected.note(id, action, arrived)) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private void otlp(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            // The bytes that crossed the wire; the spans from the message they carry.
            tally.wireBytes(body.length);
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (InputStream unzipped = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = unzipped.readAllBytes();
                }
            }
            tally.export(OtlpSpanCount.count(body));
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private void expect(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            int events = queryInt(exchange.getRequestURI(), "events");
            int actions = queryInt(exchange.getRequestURI(), "actions");
            if (events < 0 || actions < 1) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            expected = new ExpectedRun(events, actions);
            tally.reset();
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private void await(HttpExchange exchange) throws IOException {
        int timeoutMillis = queryInt(exchange.getRequestURI(), "timeout_ms");
        if (timeoutMillis < 0) {
            try (exchange) {
                exchange.sendResponseHeaders(400, -1);
            }
            return;
        }
        try {
            expected.await(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stats(exchange);
    }

    private void stats(HttpExchange exchange) throws IOException {
        ExpectedRun run = expected;
        String stats = "delivered=" + run.delivered() + "\nduplicates=" + run.duplicates() + "\n" + tally.statsLines()
                + "last_arrival_nanos=" + run.lastArrivalNanos() + "\ncpu_nanos=" + os.getProcessCpuTime()
                + "\npid=" + ProcessHandle.current().pid() + "\n";
        respond(exchange, "text/plain", stats.getBytes(StandardCharsets.US_ASCII));
    }

    private void arrivals(HttpExchange exchange) throws IOException {
        respond(exchange, "application/octet-stream", expected.arrivals());
    }

    private static void respond(HttpExchange exchange, String contentType, byte[] body) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** The query parameter's value as a number; -1 when absent or not a number. */
    private static int queryInt(URI uri, String name) {
        String query = uri.getRawQuery();
        if (query == null) {
            return -1;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    return Integer.parseInt(pair.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The digits after {@code "entity_id":"} in the webhook body; -1 when absent. */
    static int entityId(byte[] body) {
        outer:
        for (int i = 0; i <= body.length - ENTITY_ID.length; i++) {
            for (int j = 0; j < ENTITY_ID.length; j++) {
                if (body[i + j] != ENTITY_ID[j]) {
                    continue outer;
                }
            }
            int value = 0;
            int k = i + ENTITY_ID.length;
            boolean any = false;
            while (k < body.length && body[k] >= '0' && body[k] <= '9') {
                value = value * 10 + (body[k] - '0');
                k++;
                any = true;
            }
            return any ? value : -1;
        }
        return -1;
    }

    @Override
    public void close() {
        http.stop(0);
        grpc.close();
        executor.shutdownNow();
    }
}
