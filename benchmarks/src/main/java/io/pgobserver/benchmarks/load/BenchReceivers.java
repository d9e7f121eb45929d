package io.pgobserver.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The load run's far ends on loopback, one JDK {@code HttpServer}: a webhook receiver that notes when each
 * event's webhook arrived ({@code /hooks/<action index>}, the event's row id read from the body's
 * {@code entity_id}), and an OTLP/HTTP endpoint ({@code /v1/traces}) that accepts span batches and discards
 * them. Each request is answered {@code 200} at once, so the receiver adds as little as it can to the run.
 */
final class BenchReceivers implements AutoCloseable {

    private static final byte[] ENTITY_ID = "\"entity_id\":\"".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong otlpRequests = new AtomicLong();
    private final AtomicLong otlpBytes = new AtomicLong();
    private volatile Expectation expected = new Expectation(0, 1);

    /** One run's deliveries: the first arrival per event, and which (event, action) pairs came at all. */
    private static final class Expectation {
        final int events;
        final int actions;
        final AtomicLongArray firstArrival;
        final AtomicLongArray seen;
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();

        Expectation(int events, int actions) {
            this.events = events;
            this.actions = actions;
            this.firstArrival = new AtomicLongArray(events + 1);
            this.seen = new AtomicLongArray(events * actions + 1);
        }
    }

    private BenchReceivers(HttpServer http) {
        this.http = http;
    }

    static BenchReceivers start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        BenchReceivers receivers = new BenchReceivers(http);
        http.createContext("/hooks/", receivers::webhook);
        http.createContext("/v1/traces", receivers::otlp);
        http.setExecutor(receivers.executor);
        http.start();
        return receivers;
    }

    String baseUrl() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort();
    }

    /** Resets the counts (webhooks and OTLP) for a run of events with ids 1..events, each with {@code actions} webhooks. */
    void expect(int events, int actions) {
        expected = new Expectation(events, actions);
        otlpRequests.set(0);
        otlpBytes.set(0);
    }

    /** Webhooks that arrived, each (event, action) counted once. */
    int delivered() {
        return expected.delivered.get();
    }

    int duplicates() {
        return expected.duplicates.get();
    }

    /** {@link System#nanoTime()} when the event's first webhook arrived, 0 when none did. */
    long firstArrival(int eventId) {
        return expected.firstArrival.get(eventId);
    }

    long otlpRequests() {
        return otlpRequests.get();
    }

    long otlpBytes() {
        return otlpBytes.get();
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
            Expectation run = expected;
            if (id < 1 || id > run.events || action < 0 || action >= run.actions) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            if (run.seen.compareAndSet((id - 1) * run.actions + action, 0, 1)) {
                run.delivered.incrementAndGet();
            } else {
                run.duplicates.incrementAndGet();
            }
            run.firstArrival.compareAndSet(id, 0, arrived);
            exchange.sendResponseHeaders(200, -1);
        }
    }

    private void otlp(HttpExchange exchange) throws IOException {
        try (exchange) {
            long bytes;
            try (InputStream in = exchange.getRequestBody()) {
                bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            otlpRequests.incrementAndGet();
            otlpBytes.addAndGet(bytes);
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
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
        executor.shutdownNow();
    }
}
