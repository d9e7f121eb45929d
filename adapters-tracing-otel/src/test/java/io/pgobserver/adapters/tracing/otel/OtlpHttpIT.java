package io.pgobserver.adapters.tracing.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP over HTTP/protobuf to a JDK HTTP server that decodes the real {@code ExportTraceServiceRequest}. */
class OtlpHttpIT {

    private final OtlpRequests received = new OtlpRequests();
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private HttpServer server;

    @BeforeEach
    void startReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requestLines.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Content-Type") + " key="
                    + exchange.getRequestHeaders().getFirst("x-api-key"));
            try (InputStream raw = exchange.getRequestBody();
                 InputStream body = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                         ? new GZIPInputStream(raw) : raw) {
                if (exchange.getRequestURI().getPath().equals("/v1/traces")) {
                    received.add(ExportTraceServiceRequest.parseFrom(body));
                    byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                    exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
                    exchange.getResponseBody().write(response);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    @AfterEach
    void stopReceiver() {
        server.stop(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"otlp", "jaeger"})
    void theSpanTreeArrivesOverHttpProtobuf(String exporter) throws Exception {
        // No path on the endpoint: the exporter adds /v1/traces, as OTEL_EXPORTER_OTLP_ENDPOINT is meant.
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.withApiKey(exporter, endpoint, "http/protobuf"),
                TestSettings.NO_METRICS, System.out);
        TraceContext writer = SampleTrace.writer(true);
        SampleTrace.run(sdk.tracer(), writer);

        assertThat(SampleTrace.await(Duration.ofSeconds(60), () -> received.spans(writer.traceId()).size() >= 7)).isTrue();
        sdk.stop();
        SampleTrace.assertTree(received.received(writer.traceId()), writer);
        assertThat(received.resource(writer.traceId())).containsEntry("service.name", "pg-observer-test");
        assertThat(requestLines).first()
                .isEqualTo("POST /v1/traces application/x-protobuf key=" + TestSettings.API_KEY);
    }
}
