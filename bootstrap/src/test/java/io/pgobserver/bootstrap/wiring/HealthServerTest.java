package io.pgobserver.bootstrap.wiring;

import io.pgobserver.domain.trace.Tracer;
import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.application.Sleeper;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import io.pgobserver.domain.spi.AdminRoute;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HealthServerTest {

    private final InMemoryChangeSource source = new InMemoryChangeSource();
    private final HttpClient http = HttpClient.newHttpClient();

    private EventPipeline pipeline(InMemoryLeadership leadership) {
        ProcessEvent process = new ProcessEvent("health", Tracer.noop(), Tracer.noop(),
                TracingSettings.defaults(), List.of(), new ActionExecutors(List.of()), new InMemoryDeadLetters(),
                null, Metrics.NOOP, Sleeper.SYSTEM, null, Clock.systemUTC());
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        return new EventPipeline(source, checkpoints, new InMemoryParkedEvents(checkpoints), leadership, process,
                Metrics.NOOP,
                new ListenerSettings("health", 10, Duration.ofMillis(20), 4, 100, null, null), d -> Thread.sleep(5));
    }

    private HttpResponse<String> get(HealthServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting until " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void readinessFollowsTheChangeSourceAndLivenessStaysUp() throws Exception {
        InMemoryLeadership.Lock lock = new InMemoryLeadership.Lock();
        InMemoryLeadership other = new InMemoryLeadership(lock);
        assertThat(other.acquire(Duration.ZERO)).isTrue();
        EventPipeline pipeline = pipeline(new InMemoryLeadership(lock));
        Thread loop = Thread.ofPlatform().start(() -> {
            try {
                pipeline.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (HealthServer server = HealthServer.start(0, pipeline)) {
            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
            // Another process holds the lock: a waiting standby is ready.
            HttpResponse<String> standby = get(server, "/health/ready");
            assertThat(standby.statusCode()).isEqualTo(200);
            assertThat(standby.body()).contains("\"role\":\"standby\"");

            other.release();
            await("this process is active", pipeline::isActive);
            assertThat(get(server, "/health/ready").body()).contains("\"role\":\"active\"");

            source.setFailing(true);
            await("readiness reports the outage", () -> pipeline.problem() != null);
            HttpResponse<String> down = get(server, "/health/ready");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("source unavailable");
            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);

            source.setFailing(false);
            await("readiness recovers", () -> pipeline.problem() == null);
            assertThat(get(server, "/health/ready").statusCode()).isEqualTo(200);
        } finally {
            pipeline.stop(Duration.ofSeconds(5));
            loop.join(10_000);
        }
    }

    @Test
    void anAdaptersRouteGetsItsRequestsWithTheirAddressAndBody() throws Exception {
        java.util.concurrent.atomic.AtomicReference<AdminRoute.Request> seen = new java.util.concurrent.atomic.AtomicReference<>();
        AdminRoute route = route("/pages", request -> {
            seen.set(request);
            return new AdminRoute.Response(201, "text/plain", List.of(java.util.Map.entry("Cache-Control", "no-store")),
                    "made".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        });
        try (HealthServer server = HealthServer.start(0, pipeline(new InMemoryLeadership()), List.of(route))) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + server.port() + "/pages/a?b=c")).header("X-Test", "1")
                    .POST(HttpRequest.BodyPublishers.ofString("id=7")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).isEqualTo(201);
            assertThat(answer.body()).isEqualTo("made");
            assertThat(answer.headers().firstValue("Cache-Control")).contains("no-store");
            assertThat(seen.get().path()).isEqualTo("/pages/a");
            assertThat(seen.get().query()).isEqualTo("b=c");
            assertThat(seen.get().header("x-test")).isEqualTo("1");
            assertThat(new String(seen.get().body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("id=7");
            assertThat(seen.get().local().getAddress().isLoopbackAddress()).isTrue();
            assertThat(server.pages()).containsExactly("http://127.0.0.1:" + server.port() + "/pages");
            assertThat(get(server, "/health/live").statusCode()).isEqualTo(200);
        }
    }

    /** Someone opening the port, or a path it does not serve, reads what it serves, not the JDK's bare 404. */
    @Test
    void theRootListsWhatThePortServesAndAnUnknownPathIsA404ListingTheSame() throws Exception {
        AdminRoute route = route("/pages", request -> new AdminRoute.Response(200, "text/plain", List.of(),
                new byte[0]));
        try (HealthServer server = HealthServer.start(0, pipeline(new InMemoryLeadership()), List.of(route))) {
            HttpResponse<String> root = get(server, "/");
            assertThat(root.statusCode()).isEqualTo(200);
            assertThat(root.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
            assertThat(root.body()).startsWith("pg-observer admin port\n")
                    .contains("\n/health/live ", "\n/health/ready ", "\n/pages\n");

            HttpResponse<String> unknown = get(server, "/healthz");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).startsWith("nothing is served at /healthz on pg-observer's admin port\n")
                    .contains("\n/health/ready ", "\n/pages\n");
            assertThat(get(server, "/pages/x").statusCode()).as("the route's own paths").isEqualTo(200);
        }
    }

    private static AdminRoute route(String prefix,
                                    java.util.function.Function<AdminRoute.Request, AdminRoute.Response> handler) {
        return new AdminRoute() {
            @Override
            public String prefix() {
                return prefix;
            }

            @Override
            public Response handle(Request request) {
                return handler.apply(request);
            }
        };
    }

    @Test
    void aNegativePortStartsNoServer() throws Exception {
        try (HealthServer server = HealthServer.start(-1, pipeline(new InMemoryLeadership()))) {
            assertThat(server.port()).isEqualTo(-1);
        }
    }
}
