package io.pgobserver.bootstrap.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.bootstrap.config.ConfigException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Liveness and readiness over HTTP on the admin port: {@code /health/live} answers 200 while the process runs;
 * {@code /health/ready} answers 200 when this process is the active consumer and can read the change stream, or a
 * standby waiting for its turn, and 503 with the problem when the active consumer cannot reach the database.
 */
final class HealthServer implements AutoCloseable {

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
        server.createContext("/health/live", exchange -> respond(exchange, 200, "{\"status\":\"up\"}"));
        server.createContext("/health/ready", exchange -> {
            String role = pipeline.isActive() ? "active" : "standby";
            String problem = pipeline.problem();
            if (problem == null) {
                respond(exchange, 200, "{\"status\":\"ready\",\"role\":\"" + role + "\",\"processed\":"
                        + pipeline.processedCount() + "}");
            } else {
                respond(exchange, 503, "{\"status\":\"unavailable\",\"role\":\"" + role + "\",\"problem\":\""
                        + jsonEscape(problem) + "\"}");
            }
        });
        server.start();
        return new HealthServer(server);
    }

    private static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
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
