package io.pgobserver.adapters.tracing.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spans reach a real Zipkin server (the {@code zipkin-server} executable jar, started here) as the span tree
 * of docs/architecture.md, and are read back through Zipkin's query API.
 */
class ZipkinIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Process zipkin;
    private static String baseUrl;
    private static Path log;

    @BeforeAll
    static void startZipkin() throws Exception {
        String jar = System.getProperty("zipkin.server.jar");
        assertThat(jar).as("system property zipkin.server.jar (set by the failsafe configuration)").isNotNull();
        assertThat(Path.of(jar)).exists();
        int port = freePort();
        baseUrl = "http://127.0.0.1:" + port;
        log = Files.createTempFile("zipkin-server", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        zipkin = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", jar, "--server.port=" + port, "--logging.level.root=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean healthy = SampleTrace.await(Duration.ofSeconds(180), () -> zipkin.isAlive() && isHealthy());
        assertThat(healthy).as("Zipkin server up at %s; its log: %s", baseUrl, Files.readString(log)).isTrue();
    }

    @AfterAll
    static void stopZipkin() throws InterruptedException, IOException {
        if (zipkin != null) {
            zipkin.destroy();
            if (!zipkin.waitFor(20, TimeUnit.SECONDS)) {
                zipkin.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private static boolean isHealthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The trace as Zipkin returns it, once all {@code expected} spans arrived; empty if they never did. */
    private static List<JsonNode> trace(String traceId, int expected) throws InterruptedException {
        List<JsonNode> found = new ArrayList<>();
        SampleTrace.await(Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> response = get("/api/v2/trace/" + traceId);
                if (response.statusCode() != 200) {
                    return false;
                }
                found.clear();
                JSON.readTree(response.body()).forEach(found::add);
                return found.size() >= expected;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        return found;
    }

    private static SampleTrace.Received received(JsonNode span) {
        Map<String, String> tags = new LinkedHashMap<>();
        span.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
        return new SampleTrace.Received(span.path("name").asText(), span.path("traceId").asText(),
                span.path("id").asText(), span.path("parentId").asText(null), span.path("kind").asText("INTERNAL"),
                tags);
    }

    @Test
    void theSpanTreeArrivesInZipkinAsOneTreeUnderTheWritersSpan() throws Exception {
        // No path on the endpoint: the exporter adds Zipkin's /api/v2/spans.
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("zipkin", baseUrl, "grpc", 1.0), TestSettings.NO_METRICS,
                System.out);
        TraceContext writer = SampleTrace.writer(true);
        SampleTrace.run(sdk.tracer(), writer);
        sdk.stop();

        List<JsonNode> spans = trace(writer.traceId(), 7);
        SampleTrace.assertTree(spans.stream().map(ZipkinIT::received).toList(), writer);
        assertThat(spans).allSatisfy(span ->
                assertThat(span.path("localEndpoint").path("serviceName").asText()).isEqualTo("pg-observer-test"));
    }

    @Test
    void consoleAndZipkinTogetherBothGetTheTrace() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("console,zipkin", baseUrl + "/api/v2/spans", "grpc", 1.0),
                TestSettings.NO_METRICS, new PrintStream(console, true, StandardCharsets.UTF_8));
        TraceContext writer = SampleTrace.writer(true);
        SampleTrace.run(sdk.tracer(), writer);
        sdk.stop();

        assertThat(console.toString(StandardCharsets.UTF_8)).startsWith("trace " + writer.traceId());
        SampleTrace.assertTree(trace(writer.traceId(), 7).stream().map(ZipkinIT::received).toList(), writer);
    }

    @Test
    void anUnsampledWriterSendsNothing() throws Exception {
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("zipkin", baseUrl, "grpc", 1.0), TestSettings.NO_METRICS,
                System.out);
        TraceContext unsampled = SampleTrace.writer(false);
        SampleTrace.run(sdk.tracer(), unsampled);
        TraceContext sampled = SampleTrace.writer(true);
        SampleTrace.run(sdk.tracer(), sampled);
        sdk.stop();

        // The sampled trace, sent in the same batch or after, is the witness that the unsampled one had its chance.
        assertThat(trace(sampled.traceId(), 7)).hasSize(7);
        assertThat(get("/api/v2/trace/" + unsampled.traceId()).statusCode()).isEqualTo(404);
    }
}
