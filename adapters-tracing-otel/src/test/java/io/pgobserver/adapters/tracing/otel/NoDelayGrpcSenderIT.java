package io.pgobserver.adapters.tracing.otel;

import io.grpc.Metadata;
import io.grpc.Status;
import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * pg-observer's gRPC sender, under the SDK's OTLP exporter as the product builds it, against a grpc-java server that
 * decodes the real OTLP protobuf: what arrives, and what the exporter hears of the server's errors.
 */
class NoDelayGrpcSenderIT {

    private static final Metadata.Key<String> ENCODING =
            Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    private static final RetryPolicy QUICK_RETRIES = RetryPolicy.builder().setMaxAttempts(3)
            .setInitialBackoff(Duration.ofMillis(10)).setMaxBackoff(Duration.ofMillis(20)).build();

    private GrpcCollector collector;
    private List<Metadata> headers;
    private Queue<Status> errors;
    private OtlpGrpcSpanExporter exporter;

    @BeforeEach
    void startReceiver() throws Exception {
        collector = new GrpcCollector();
        headers = collector.headers;
        errors = collector.errors;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (exporter != null) {
            exporter.shutdown().join(10, TimeUnit.SECONDS);
        }
        collector.close();
    }

    private OtlpGrpcSpanExporterBuilder exporter() {
        return OtlpGrpcSpanExporter.builder().setEndpoint(collector.endpoint())
                .setComponentLoader(SpanExporters.components(System.out)).setRetryPolicy(QUICK_RETRIES);
    }

    private CompletableResultCode export(OtlpGrpcSpanExporter built) {
        exporter = built;
        return built.export(spans()).join(30, TimeUnit.SECONDS);
    }

    private static List<SpanData> spans() {
        InMemorySpanExporter memory = InMemorySpanExporter.create();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            Tracer tracer = provider.get("io.pgobserver");
            for (String name : List.of("process_event", "evaluate_condition", "execute_action")) {
                tracer.spanBuilder(name).setAttribute("observer", "orders").startSpan().end();
            }
            // Taken before the provider closes: closing shuts the exporter, which forgets its spans.
            return memory.getFinishedSpanItems();
        }
    }

    private List<String> spanNames() {
        return collector.received.resourceSpans().flatMap(r -> r.getScopeSpansList().stream())
                .flatMap(s -> s.getSpansList().stream()).map(Span::getName).toList();
    }

    @Test
    void spansArriveDecodedWithTheExportersHeaders() {
        CompletableResultCode result = export(exporter().addHeader("x-api-key", "secret-1").build());

        assertThat(result.isSuccess()).isTrue();
        assertThat(spanNames()).containsExactly("process_event", "evaluate_condition", "execute_action");
        assertThat(collector.received.resourceSpans().findFirst().orElseThrow().getScopeSpans(0).getSpans(0)
                .getAttributes(0).getValue().getStringValue()).isEqualTo("orders");
        assertThat(headers).singleElement().satisfies(h -> {
            assertThat(h.get(GrpcCollector.API_KEY)).isEqualTo("secret-1");
            assertThat(h.get(ENCODING)).isNull();
        });
    }

    @Test
    void gzipCompressedSpansArrive() {
        CompletableResultCode result = export(exporter().setCompression("gzip").build());

        assertThat(result.isSuccess()).isTrue();
        assertThat(spanNames()).hasSize(3);
        assertThat(headers).singleElement().satisfies(h -> assertThat(h.get(ENCODING)).isEqualTo("gzip"));
    }

    @Test
    void anUnavailableServerIsAskedAgainUntilItTakesTheSpans() {
        errors.add(Status.UNAVAILABLE.withDescription("starting"));
        errors.add(Status.UNAVAILABLE.withDescription("still starting"));

        CompletableResultCode result = export(exporter().build());

        assertThat(result.isSuccess()).isTrue();
        assertThat(headers).hasSize(3);
        assertThat(spanNames()).hasSize(3);
    }

    @Test
    void everyAttemptIsMadeWithInstrumentationSuppressedSoThatAnAgentDoesNotTraceTheExportsOwnCalls() {
        errors.add(Status.UNAVAILABLE.withDescription("starting"));
        Queue<Boolean> suppressed = new ConcurrentLinkedQueue<>();
        // What the OpenTelemetry Java agent's OkHttp instrumentation reads: the context current where a call is
        // handed to the dispatcher's executor.
        ExecutorService dispatcher = new ThreadPoolExecutor(0, 4, 60, TimeUnit.SECONDS, new SynchronousQueue<>()) {
            @Override
            public void execute(Runnable call) {
                suppressed.add(InstrumentationUtil.shouldSuppressInstrumentation(Context.current()));
                super.execute(call);
            }
        };

        try {
            CompletableResultCode result = export(exporter().setExecutorService(dispatcher).build());

            assertThat(result.isSuccess()).isTrue();
            assertThat(headers).as("the first attempt and its retry").hasSize(2);
            assertThat(suppressed).as("each attempt, the retry made from the first one's callback included")
                    .containsExactly(true, true);
        } finally {
            dispatcher.shutdownNow();
        }
    }

    @Test
    void anUnavailableServerIsAskedAtMostTheAttemptsOfThePolicy() {
        for (int i = 0; i < 5; i++) {
            errors.add(Status.UNAVAILABLE.withDescription("down for maintenance"));
        }

        CompletableResultCode result = export(exporter().build());

        assertThat(result.isSuccess()).isFalse();
        assertThat(headers).hasSize(3);
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .isEqualTo("gRPC status UNAVAILABLE down for maintenance");
    }

    @Test
    void aRefusalIsNotRetriedAndItsWordsReachTheExportersResult() {
        errors.add(Status.INVALID_ARGUMENT.withDescription("span 100% invalid: ünknown kind"));

        CompletableResultCode result = export(exporter().build());

        assertThat(result.isSuccess()).isFalse();
        assertThat(headers).hasSize(1);
        assertThat(result.getFailureThrowable()).isInstanceOfSatisfying(FailedExportException.GrpcExportException.class,
                failure -> assertThat(failure.getResponse().getStatusCode())
                        .isEqualTo(GrpcStatusCode.INVALID_ARGUMENT));
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .as("a trailers-only answer; its percent-encoded message decoded")
                .isEqualTo("gRPC status INVALID_ARGUMENT span 100% invalid: ünknown kind");
    }

    @Test
    void anUnimplementedServiceIsNotRetried() {
        errors.add(Status.UNIMPLEMENTED.withDescription("no trace service here"));

        CompletableResultCode result = export(exporter().build());

        assertThat(headers).hasSize(1);
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .isEqualTo("gRPC status UNIMPLEMENTED no trace service here");
    }

    @Test
    void anErrorInTheTrailersAfterTheHeadersIsReadAndRetriedAsOneInTheHeaders() {
        collector.errorsAfterHeaders = true;
        errors.add(Status.UNAVAILABLE.withDescription("busy"));
        errors.add(Status.PERMISSION_DENIED.withDescription("wrong tenant"));

        CompletableResultCode result = export(exporter().build());

        assertThat(headers).hasSize(2);
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .isEqualTo("gRPC status PERMISSION_DENIED wrong tenant");
    }
}
