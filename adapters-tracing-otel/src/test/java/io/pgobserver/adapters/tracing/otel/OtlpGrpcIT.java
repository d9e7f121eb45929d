package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.proto.trace.v1.Span;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP over gRPC to a grpc-java server that decodes the real OTLP protobuf (as a collector, Tempo or Jaeger would). */
class OtlpGrpcIT {

    private GrpcCollector collector;

    @BeforeEach
    void startReceiver() throws Exception {
        collector = new GrpcCollector();
    }

    @AfterEach
    void stopReceiver() throws InterruptedException {
        collector.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"otlp", "jaeger"})
    void theSpanTreeArrivesOverGrpc(String exporter) throws Exception {
        OtlpRequests received = collector.received;
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.withApiKey(exporter, collector.endpoint(), "grpc"),
                TestSettings.NO_METRICS, System.out);
        TraceContext writer = SampleTrace.writer(true);
        TraceContext root = SampleTrace.run(sdk.tracer(), writer);

        assertThat(SampleTrace.await(Duration.ofSeconds(60), () -> received.spans(writer.traceId()).size() >= 7)).isTrue();
        sdk.stop();
        SampleTrace.assertTree(received.received(writer.traceId()), writer);
        assertThat(received.resource(writer.traceId())).containsEntry("service.name", "pg-observer-test")
                .containsEntry("deployment.environment", "test").containsEntry("telemetry.sdk.language", "java");
        Span rootSpan = received.spans(writer.traceId()).stream().filter(s -> s.getName().equals("process_event"))
                .findFirst().orElseThrow();
        assertThat(OtlpRequests.hex(rootSpan.getSpanId())).isEqualTo(root.spanId());
        assertThat(rootSpan.getTraceState()).as("the writer's tracestate travels on").isEqualTo("vendor=abc");
        assertThat(collector.header(GrpcCollector.API_KEY)).isNotEmpty().containsOnly(TestSettings.API_KEY);
    }
}
