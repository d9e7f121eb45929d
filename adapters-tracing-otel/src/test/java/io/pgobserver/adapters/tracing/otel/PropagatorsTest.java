package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The headers a span hands downstream follow {@code OTEL_PROPAGATORS}, W3C Trace Context by default. */
class PropagatorsTest {

    private static final TraceContext WRITER = SampleTrace.writer(true);

    private static Map<String, String> headers(Map<String, String> environment, boolean executorOn) {
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("console", null, "grpc", 1.0).withEnvironment(environment),
                TestSettings.NO_METRICS, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            Map<String, String> headers = new TreeMap<>();
            Tracer tracer = executorOn ? sdk.tracer()
                    : new OtelTracer(sdk.tracerProvider().get("test"), EnumSet.noneOf(Tracer.Component.class),
                    io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance());
            Span root = tracer.startTrace("process_event", WRITER, SpanKind.CONSUMER);
            Span action = tracer.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
            action.propagate(TraceContext.NONE, headers::put);
            action.end();
            root.end();
            return headers;
        } finally {
            sdk.stop();
        }
    }

    @Test
    void w3cTraceContextByDefault() {
        assertThat(headers(Map.of(), true)).containsOnlyKeys("traceparent", "tracestate")
                .containsEntry("tracestate", WRITER.tracestate())
                .hasEntrySatisfying("traceparent", v -> assertThat(v).startsWith("00-" + WRITER.traceId() + "-")
                        .doesNotContain(WRITER.spanId()));
    }

    @Test
    void b3MultiWhenTheVariableSaysSo() {
        assertThat(headers(Map.of("OTEL_PROPAGATORS", "b3multi"), true))
                .containsEntry("X-B3-TraceId", WRITER.traceId()).containsEntry("X-B3-Sampled", "1")
                .containsKey("X-B3-SpanId").doesNotContainKey("traceparent");
    }

    @Test
    void bothWhenBothAreListed() {
        assertThat(headers(Map.of("OTEL_PROPAGATORS", "tracecontext,b3"), true)).containsKeys("traceparent", "b3");
    }

    @Test
    void aSwitchedOffComponentsStandInWritesItsParentsHeaders() {
        // The stand-in has no context of its own: the root's goes downstream.
        assertThat(headers(Map.of(), false)).containsOnlyKeys("traceparent", "tracestate")
                .hasEntrySatisfying("traceparent", v -> assertThat(v).startsWith("00-" + WRITER.traceId() + "-"));
    }
}
