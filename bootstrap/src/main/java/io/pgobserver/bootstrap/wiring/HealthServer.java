package io.pgobserver.bootstrap.wiring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.BindRefusals;
import io.pgobserver.domain.spi.PipelineStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The admin port. Liveness and readiness over HTTP: {@code /health/live} answers 200 while the process runs;
 * {@code /health/ready} answers 200 when this process is the active consumer and can read the change stream, or a
 * standby waiting for its turn, and 503 with the problem when the active consumer cannot reach the database. Its
 * {@code role} is {@link PipelineStatus#role()}: a process that led until the database stopped answering says
 * {@code active} through the outage.
 * While {@code run} starts (it may wait for its database) readiness answers 503 with role {@code starting}
 * ({@link WaitingStart#status}). Beside them, the pages adapters add as {@link AdminRoute}s (the console's
 * {@code /console}).
 */
public final class HealthServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Admin requests are forms and small JSON: a larger body is refused, not buffered. */
    private static final int MAX_BODY = 1 << 20;

    private final HttpServer server;
    private final List<AdminRoute> served = new CopyOnWriteArrayList<>();

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Starts the server with the health endpoints alone; a port of -1 starts none. */
    public static HealthServer start(int port, PipelineStatus pipeline) throws IOException {
        return start(port, pipeline, List.of());
    }

    /** Starts the server with the health endpoints and the adapters' routes; a port of -1 starts none. */
    public static HealthServer start(int port, PipelineStatus pipeline, Collection<AdminRoute> routes)
            throws IOException {
        if (port < 0) {
            return new HealthServer(null);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (BindException e) {
            // Every interface: only the port can be wrong.
            throw new ConfigException(BindRefusals.refused("admin.port", port, null, null, e,
                    ", or -1 to turn the health endpoint off").getMessage(), e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/health/live", exchange -> respond(exchange, 200, Map.of("status", "up")));
        server.createContext("/health/ready", exchange -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            String problem = pipeline.problem();
            answer.put("status", problem == null ? "ready" : "unavailable");
            answer.put("role", pipeline.role());
            if (problem == null) {
                answer.put("processed", pipeline.processedCount());
            } else {
                answer.put("problem", problem);
            }
            respond(exchange, problem == null ? 200 : 503, answer);
        });
        HealthServer started = new HealthServer(server);
        // Every other path: the JDK's bare "No context found" told someone opening the port nothing of what it serves.
        server.createContext("/", started::index);
        server.start();
        try {
            started.check(routes);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        started.add(routes);
        return started;
    }

    /**
     * Checks each route that this server will serve ({@link AdminRoute#check()}); nothing when the server is off.
     *
     * @throws ConfigException when a setting makes one unusable here
     */
    public void check(Collection<AdminRoute> routes) {
        if (server == null) {
            return;
        }
        for (AdminRoute route : routes) {
            try {
                route.check();
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }
    }

    /**
     * Adds the adapters' pages to the running server: {@code run} adds them once the database answers, so that
     * while it waits for it the port answers the health endpoints alone.
     */
    public void add(Collection<AdminRoute> routes) {
        if (server == null) {
            return;
        }
        for (AdminRoute route : routes) {
            server.createContext(route.prefix(), exchange -> serve(route, exchange));
            served.add(route);
        }
    }

    public int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    /** The adapters' pages as URLs a browser opens ({@link AdminRoute#page}); empty when the server is off. */
    public List<String> pages() {
        return server == null ? List.of() : served.stream().flatMap(r -> r.page(port()).stream()).toList();
    }

    /** {@code /}: what this port serves, a line each; any other unknown path is a 404 that lists the same. */
    private void index(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().close();
            String path = exchange.getRequestURI().getPath();
            StringBuilder text = new StringBuilder(path.equals("/") ? "pg-observer admin port\n"
                    : "nothing is served at " + path + " on pg-observer's admin port\n");
            text.append("\n/health/live    liveness: 200 while the process runs\n")
                    .append("/health/ready   readiness: 200 when active or a waiting standby, 503 with the problem\n");
            for (AdminRoute route : served) {
                text.append(route.prefix()).append(route.page(port()).isPresent() ? "" : "   (switched off)")
                        .append('\n');
            }
            send(exchange, new AdminRoute.Response(path.equals("/") ? 200 : 404, "text/plain; charset=utf-8",
                    List.of(), text.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static void serve(AdminRoute route, HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                send(exchange, new AdminRoute.Response(413, "text/plain; charset=utf-8", List.of(),
                        "request body over 1 MiB".getBytes(StandardCharsets.UTF_8)));
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!values.isEmpty()) {
                    headers.put(name.toLowerCase(Locale.ROOT), values.getFirst());
                }
            });
            AdminRoute.Request request = new AdminRoute.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(), headers, body,
                    exchange.getLocalAddress(), exchange.getRemoteAddress());
            AdminRoute.Response response;
            try {
                response = route.handle(request);
            } catch (Exception e) {
                LOG.warn("{} {} failed", request.method(), request.path(), e);
                response = new AdminRoute.Response(500, "text/plain; charset=utf-8", List.of(),
                        ("internal error: " + e.getClass().getSimpleName()).getBytes(StandardCharsets.UTF_8));
            }
            send(exchange, response);
        }
    }

    private static void send(HttpExchange exchange, AdminRoute.Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        response.headers().forEach(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue()));
        boolean empty = response.body().length == 0 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), empty ? -1 : response.body().length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(response.body());
            }
        }
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
