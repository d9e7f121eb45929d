package io.pgobserver.bootstrap.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/HTTP trace endpoint ({@code POST /v1/traces}, protobuf) on a fixed port that a test can take down
 * (connection refused) or make stall (accepts the request, never answers until released). It answers 200 with
 * an empty body, which is a valid empty {@code ExportTraceServiceResponse}.
 */
final class TraceBackend implements AutoCloseable {

    private final int port;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong exports = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong stalled = new AtomicLong();
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile boolean keepBodies;
    private volatile CountDownLatch stall;
    private HttpServer server;

    private TraceBackend(int port) {
        this.port = port;
    }

    static TraceBackend start() throws IOException {
        TraceBackend backend = new TraceBackend(FaultSupport.freePort());
        backend.up();
        return backend;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port + "/v1/traces";
    }

    /** Listening again (on the same port). */
    synchronized void up() throws IOException {
        if (server != null) {
            return;
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        s.createContext("/", this::handle);
        s.setExecutor(handlers);
        s.start();
        server = s;
    }

    /** Not listening: the exporter gets connection refused. */
    synchronized void down() {
        release();
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Accepts requests and holds them unanswered until {@link #release()}. */
    void stallAnswers() {
        stall = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch latch = stall;
        stall = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Keeps every exported body so a test can search the raw protobuf for strings. */
    void keepBodies() {
        keepBodies = true;
    }

    synchronized byte[] keptBodies() {
        return kept.toByteArray();
    }

    long exportCount() {
        return exports.get();
    }

    long stalledCount() {
        return stalled.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            CountDownLatch latch = stall;
            if (latch != null) {
                stalled.incrementAndGet();
                try {
                    latch.await(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            exports.incrementAndGet();
            bytes.addAndGet(body.length);
            if (keepBodies) {
                synchronized (this) {
                    kept.write(body);
                }
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        down();
        handlers.shutdownNow();
    }
}
