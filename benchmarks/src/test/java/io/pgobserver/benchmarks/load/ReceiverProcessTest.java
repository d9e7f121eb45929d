package io.pgobserver.benchmarks.load;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ReceiverProcessTest {

    @Test
    void readsTheRowIdFromTheWebhookBody() {
        byte[] body = "{\"event_id\":\"e\",\"entity_type\":\"public.bench_orders\",\"entity_id\":\"1234\",\"kind\":\"created\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(ReceiverProcess.entityId(body)).isEqualTo(1234);
        assertThat(ReceiverProcess.entityId("{\"entity_id\":\"x\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(ReceiverProcess.entityId("{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }

    /** The control API the bench drives it through, here in this JVM: expect, webhooks, stats, arrivals. */
    @Test
    void countsWebhooksOncePerEventAndActionAndReportsFirstArrivals() throws Exception {
        try (ReceiverProcess receiver = ReceiverProcess.start(); HttpClient client = HttpClient.newHttpClient()) {
            String base = receiver.baseUrl();
            assertThat(send(client, HttpRequest.newBuilder(URI.create(base + "/control/expect?events=3&actions=2"))
                    .POST(HttpRequest.BodyPublishers.noBody())).statusCode()).isEqualTo(204);
            long before = System.nanoTime();
            for (String hook : new String[] {"/hooks/0", "/hooks/1", "/hooks/1"}) {
                assertThat(send(client, HttpRequest.newBuilder(URI.create(base + hook))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"entity_id\":\"2\"}"))).statusCode()).isEqualTo(200);
            }
            assertThat(send(client, HttpRequest.newBuilder(URI.create(base + "/hooks/0"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"entity_id\":\"9\"}"))).statusCode()).isEqualTo(400);
            send(client, HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100])));

            String stats = new String(send(client, HttpRequest.newBuilder(URI.create(base + "/control/stats")).GET())
                    .body(), StandardCharsets.US_ASCII);
            assertThat(stats).contains("delivered=2\n", "duplicates=1\n", "otlp_requests=1\n", "otlp_bytes=100\n",
                    "pid=" + ProcessHandle.current().pid() + "\n").containsPattern("cpu_nanos=[1-9][0-9]*\n");

            byte[] arrivals = send(client, HttpRequest.newBuilder(URI.create(base + "/control/arrivals")).GET()).body();
            assertThat(arrivals).hasSize(4 * Long.BYTES);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(arrivals));
            assertThat(in.readLong()).isZero();
            assertThat(in.readLong()).isZero();
            assertThat(in.readLong()).isBetween(before, System.nanoTime());
            assertThat(in.readLong()).isZero();
        }
    }

    /** A gzip-compressed export ({@code --otlp-compression gzip}): the bytes on the wire, the spans inside. */
    @Test
    void countsTheSpansOfAGzippedExportAndTheBytesAsSent() throws Exception {
        // ExportTraceServiceRequest { resource_spans { scope_spans { spans {} spans {} } } }
        byte[] request = {0x0a, 0x06, 0x12, 0x04, 0x12, 0x00, 0x12, 0x00};
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(request);
        }
        try (ReceiverProcess receiver = ReceiverProcess.start(); HttpClient client = HttpClient.newHttpClient()) {
            String base = receiver.baseUrl();
            assertThat(send(client, HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(compressed.toByteArray()))).statusCode())
                    .isEqualTo(200);
            assertThat(send(client, HttpRequest.newBuilder(URI.create(base + "/v1/traces"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request))).statusCode()).isEqualTo(200);

            String stats = new String(send(client, HttpRequest.newBuilder(URI.create(base + "/control/stats")).GET())
                    .body(), StandardCharsets.US_ASCII);
            assertThat(stats).contains("otlp_requests=2\n", "otlp_spans=4\n",
                    "otlp_bytes=" + (compressed.size() + request.length) + "\n");
        }
    }

    /**
     * {@code --otlp-protocol grpc}: the SDK's own OTLP/gRPC exporter, as the observer runs it, sends to the receiver's
     * gRPC port; each export counts once with its spans, and its bytes as they crossed the wire, gzip included.
     */
    @Test
    void countsTheSpansThatTheSdksGrpcExporterSends() throws Exception {
        try (ReceiverProcess receiver = ReceiverProcess.start(); HttpClient client = HttpClient.newHttpClient()) {
            String endpoint = "http://127.0.0.1:" + receiver.grpcPort();
            long[] bytesAfter = new long[2];
            String[] compressions = {"none", "gzip"};
            for (int c = 0; c < compressions.length; c++) {
                OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint)
                        .setCompression(compressions[c]).build();
                try (SdkTracerProvider provider = SdkTracerProvider.builder()
                        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build()) {
                    Tracer tracer = provider.get("receiver-test");
                    for (int i = 0; i < 3; i++) {
                        tracer.spanBuilder("span-" + i).setAttribute("url.full", "x".repeat(200)).startSpan().end();
                    }
                    assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess())
                            .as("export over gRPC with compression %s", compressions[c]).isTrue();
                }
                String stats = new String(send(client, HttpRequest.newBuilder(
                        URI.create(receiver.baseUrl() + "/control/stats")).GET()).body(), StandardCharsets.US_ASCII);
                assertThat(stats).contains("otlp_requests=" + (c + 1) + "\n", "otlp_spans=" + (3 * (c + 1)) + "\n");
                bytesAfter[c] = Long.parseLong(stats.replaceAll("(?s).*otlp_bytes=(\\d+)\n.*", "$1"));
            }
            long plain = bytesAfter[0];
            long gzipped = bytesAfter[1] - bytesAfter[0];
            assertThat(plain).as("three 200-character attributes, plain").isGreaterThan(600);
            assertThat(gzipped).as("the same spans gzipped, as they crossed the wire")
                    .isPositive().isLessThan(plain / 2);
        }
    }

    /**
     * The bench's wait for a run's end: answered with the stats when the time is up and the run is not complete, and
     * once the last expected webhook has arrived, long before a wait's time is up.
     */
    @Test
    void anAwaitAnswersWhenTheLastExpectedWebhookArrivesOrWhenItsTimeIsUp() throws Exception {
        try (ReceiverProcess receiver = ReceiverProcess.start(); HttpClient client = HttpClient.newHttpClient()) {
            String base = receiver.baseUrl();
            send(client, HttpRequest.newBuilder(URI.create(base + "/control/expect?events=2&actions=1"))
                    .POST(HttpRequest.BodyPublishers.noBody()));
            send(client, HttpRequest.newBuilder(URI.create(base + "/hooks/0"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"entity_id\":\"1\"}")));
            String early = new String(send(client, HttpRequest.newBuilder(
                    URI.create(base + "/control/await?timeout_ms=50")).GET()).body(), StandardCharsets.US_ASCII);
            assertThat(early).contains("delivered=1\n");

            // A wait long enough never to run out in this test: only the last webhook can end it.
            var pending = client.sendAsync(HttpRequest.newBuilder(
                    URI.create(base + "/control/await?timeout_ms=600000")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            send(client, HttpRequest.newBuilder(URI.create(base + "/hooks/0"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"entity_id\":\"2\"}")));
            assertThat(pending.get(2, TimeUnit.MINUTES).body()).contains("delivered=2\n").doesNotContain("last_arrival_nanos=0\n");

            assertThat(send(client, HttpRequest.newBuilder(URI.create(base + "/control/await")).GET())
                    .statusCode()).as("no timeout_ms").isEqualTo(400);
        }
    }

    private static HttpResponse<byte[]> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
