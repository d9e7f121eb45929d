package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.bootstrap.config.ConfigException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Liveness and readiness over HTTP on the admin port: {@code /health/live} answers 200 while the process runs;
 * {@code /health/ready} answers 200 when this process is the active consumer and can read the change stream, or a
 * standby waiting for its turn, and 503 with the problem when the active consumer cannot reach the database.
 */
final class HealthServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Starts the server; a port of -1 starts none. */
    static HealthServer start(int port, EventPipeline pipeline) throws IOException {
        if (port < 0) {
            return new HealthServer(null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (BindException e) {
            throw new ConfigException("admin.port " + port + " is in use: choose another port, or -1 to turn the "
                    + "health endpoint off");
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health/live", exchange -> respond(exchange, 200, Map.of("status", "up")));
        server.createContext("/health/ready", exchange -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            String problem = pipeline.problem();
            answer.put("status", problem == null ? "ready" : "unavailable");
            answer.put("role", pipeline.isActive() ? "active" : "standby");
            if (problem == null) {
                answer.put("processed", pipeline.processedCount());
            } else {
                answer.put("problem", problem);
            }
            respond(exchange, problem == null ? 200 : 503, answer);
        });
        server.start();
        return new HealthServer(server);
    }

    int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }
}
