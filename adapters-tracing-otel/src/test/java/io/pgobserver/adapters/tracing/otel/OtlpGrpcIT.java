package io.pgobserver.adapters.tracing.otel;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.Span;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** OTLP over gRPC to a grpc-java server that decodes the real OTLP protobuf (as a collector, Tempo or Jaeger would). */
class OtlpGrpcIT {

    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

    private final OtlpRequests received = new OtlpRequests();
    private final List<String> apiKeys = new CopyOnWriteArrayList<>();
    private Server server;

    @BeforeEach
    void startReceiver() throws Exception {
        ServerInterceptor headers = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
                                                              ServerCallHandler<Q, R> next) {
                apiKeys.add(String.valueOf(metadata.get(API_KEY)));
                return next.startCall(call, metadata);
            }
        };
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> response) {
                        received.add(request);
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }, headers)).build().start();
    }

    @AfterEach
    void stopReceiver() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"otlp", "jaeger"})
    void theSpanTreeArrivesOverGrpc(String exporter) throws Exception {
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.withApiKey(exporter, "http://127.0.0.1:" + server.getPort(), "grpc"),
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
        assertThat(apiKeys).isNotEmpty().containsOnly(TestSettings.API_KEY);
    }
}
