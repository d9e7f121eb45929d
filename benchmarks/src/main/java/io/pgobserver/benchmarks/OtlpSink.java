package io.pgobserver.benchmarks;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/HTTP trace receiver for the micro-benchmarks: answers every {@code POST /v1/traces} with 200 and an
 * empty {@code ExportTraceServiceResponse} (zero protobuf bytes, which means success), and counts requests and
 * body bytes without decoding them. The spans leave the process as in a deployment: serialised, sent over HTTP,
 * acknowledged. It counts bytes rather than spans because decoding protobuf here would need the OpenTelemetry
 * types that only the adapter may name.
 */
final class OtlpSink implements AutoCloseable {

    static final String PATH = "/v1/traces";

    private final HttpServer server;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    OtlpSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(PATH, exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                if (!exchange.getRequestMethod().equals("POST")) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                bytes.addAndGet(body.transferTo(java.io.OutputStream.nullOutputStream()));
                requests.incrementAndGet();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    /** The base URL, such as {@code http://127.0.0.1:41234}: the exporter appends {@link #PATH}. */
    String endpoint() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Export requests answered so far. */
    long requests() {
        return requests.get();
    }

    /** Protobuf bytes received so far. */
    long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
