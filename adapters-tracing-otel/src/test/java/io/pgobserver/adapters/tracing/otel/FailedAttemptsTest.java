package io.pgobserver.adapters.tracing.otel;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A collector that answers "unavailable" is warned of at the exporter's first failed attempt, as one that refuses
 * connections is ({@code GuardedSpanExporterTest}), not when the SDK's retries of the batch run out.
 */
class FailedAttemptsTest {

    /** The SDK's retries, with its 5 attempts, a few milliseconds apart so that the test is short. */
    private static final RetryPolicy QUICK_RETRIES = RetryPolicy.builder().setInitialBackoff(Duration.ofMillis(20))
            .setMaxBackoff(Duration.ofMillis(50)).build();

    @RegisterExtension
    final LoggedWarnings logged = new LoggedWarnings(GuardedSpanExporter.class);

    /** How many lines were logged when each attempt reached the receiver. */
    private final List<Integer> linesAtEachAttempt = new CopyOnWriteArrayList<>();
    /** The exporter under test, as its lines name it. */
    private volatile String description;

    /**
     * This test's exporter's lines: an exporter of an earlier test in this JVM may still report a failure that
     * completes late, or at its shutdown.
     */
    private List<String> lines() {
        return logged.list().stream().filter(line -> line.contains(description + " ")).toList();
    }

    @Test
    void aCollectorAnsweringHttp503IsWarnedOfAtTheFirstFailedAttempt() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            linesAtEachAttempt.add(lines().size());
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
            // On the sender the SDK is given (the JDK's HttpClient), whose lines say "HttpResponse{code=503}".
            toldAtTheFirstFailedAttempt(OtlpHttpSpanExporter.builder().setEndpoint(endpoint)
                    .setComponentLoader(SpanExporters.components(System.out)).setRetryPolicy(QUICK_RETRIES).build(),
                    "otlp http/protobuf " + endpoint, "HTTP 503");
        } finally {
            server.stop(0);
        }
    }

    /** Through pg-observer's gRPC sender (the product's), which tells itself, and the SDK's, read from its log. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aCollectorAnsweringGrpcUnavailableIsWarnedOfAtTheFirstFailedAttempt(boolean pgObserversSender)
            throws Exception {
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> response) {
                        linesAtEachAttempt.add(lines().size());
                        response.onError(Status.UNAVAILABLE.withDescription("collector overloaded").asRuntimeException());
                    }
                }).build().start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getPort();
            OtlpGrpcSpanExporterBuilder exporter = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint)
                    .setRetryPolicy(QUICK_RETRIES);
            if (pgObserversSender) {
                exporter.setComponentLoader(SpanExporters.components(System.out));
            }
            toldAtTheFirstFailedAttempt(exporter.build(), "otlp grpc " + endpoint,
                    "gRPC status UNAVAILABLE collector overloaded");
        } finally {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private void toldAtTheFirstFailedAttempt(SpanExporter otlp, String description, String cause) {
        this.description = description;
        List<Integer> linesWhenTheExporterGaveUp = new CopyOnWriteArrayList<>();
        GuardedSpanExporter guarded = new GuardedSpanExporter(description, willRetry -> GuardedSpanExporterTest.noting(
                FailedAttempts.watched(otlp, true, willRetry), () -> linesWhenTheExporterGaveUp.add(lines().size())),
                new QueueDropMonitor(2048));

        assertThat(guarded.export(GuardedSpanExporterTest.spans(3)).join(60, TimeUnit.SECONDS).isSuccess()).isFalse();

        // The SDK's 5 attempts; the line came between the first answer and the second attempt.
        assertThat(linesAtEachAttempt).containsExactly(0, 1, 1, 1, 1);
        assertThat(linesWhenTheExporterGaveUp).containsExactly(1);
        assertThat(lines()).hasSize(2);
        assertThat(lines().getFirst()).startsWith("tracing: exporter " + description + " failed to send spans ("
                + cause + ") and retries them");
        assertThat(lines().getLast()).contains("could not deliver 3 span(s)");
        guarded.shutdown().join(10, TimeUnit.SECONDS);
    }
}
