package io.pgobserver.bootstrap.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A real Zipkin server, run from the {@code zipkin-server} executable jar that the build copies next to the
 * tests (system property {@code zipkin.server.jar}), read back through its query API.
 */
public final class ZipkinServer implements SpanBackend {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final String baseUrl;
    private final Path log;

    private ZipkinServer(Process process, String baseUrl, Path log) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
    }

    /** Starts the server and waits until it reports healthy (the first start takes a while on two cores). */
    public static ZipkinServer start() throws IOException, InterruptedException {
        String jar = System.getProperty("zipkin.server.jar");
        assertThat(jar).as("system property zipkin.server.jar (set by the failsafe configuration)").isNotNull();
        assertThat(Path.of(jar)).exists();
        int port = Await.freePort();
        Path log = Files.createTempFile("zipkin-server", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", jar, "--server.port=" + port, "--logging.level.root=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ZipkinServer server = new ZipkinServer(process, "http://127.0.0.1:" + port, log);
        boolean healthy = Await.until(Duration.ofSeconds(180), () -> process.isAlive() && server.isHealthy());
        if (!healthy) {
            // Read before close(), which deletes the log.
            String output = Files.readString(log);
            server.close();
            throw new AssertionError("Zipkin server not up at " + server.baseUrl + " within 180 s; its log: " + output);
        }
        return server;
    }

    @Override
    public String exporter() {
        return "zipkin";
    }

    /** No path: the exporter adds Zipkin's {@code /api/v2/spans}, as a user writing the base URL expects. */
    @Override
    public String endpoint() {
        return baseUrl;
    }

    @Override
    public String protocol() {
        return "grpc";
    }

    @Override
    public List<ExportedSpan> spans(String traceId) {
        try {
            HttpResponse<String> response = get("/api/v2/trace/" + traceId);
            if (response.statusCode() == 404) {
                return List.of();
            }
            assertThat(response.statusCode()).as("Zipkin's answer for trace %s: %s", traceId, response.body())
                    .isEqualTo(200);
            List<ExportedSpan> spans = new ArrayList<>();
            JSON.readTree(response.body()).forEach(span -> spans.add(exported(span)));
            return spans;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ExportedSpan exported(JsonNode span) {
        Map<String, String> tags = new LinkedHashMap<>();
        span.path("tags").properties().forEach(e -> tags.put(e.getKey(), e.getValue().asText()));
        List<String> annotations = new ArrayList<>();
        span.path("annotations").forEach(a -> annotations.add(a.path("value").asText()));
        // Zipkin has no INTERNAL kind: a span without one is internal. The OpenTelemetry exporter writes an
        // error status as the otel.status_code tag.
        return new ExportedSpan(span.path("name").asText(), span.path("traceId").asText(), span.path("id").asText(),
                span.path("parentId").asText(null), span.path("kind").asText("INTERNAL"),
                "ERROR".equals(tags.get("otel.status_code")), tags, annotations, List.of());
    }

    @Override
    public List<String> serviceNames(String traceId) {
        try {
            List<String> names = new ArrayList<>();
            JSON.readTree(get("/api/v2/trace/" + traceId).body())
                    .forEach(s -> names.add(s.path("localEndpoint").path("serviceName").asText()));
            return names.stream().distinct().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean isHealthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "zipkin";
    }
}
