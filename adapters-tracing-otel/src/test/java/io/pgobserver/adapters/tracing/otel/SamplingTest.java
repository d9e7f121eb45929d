package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sampler the settings build (parent-based trace-id ratio), seen through what the console exporter
 * prints: one tree per sampled trace.
 */
class SamplingTest {

    private static final int TRACES = 4000;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private Tracer tracer(double sampleRate) {
        return OtelSdk.create(TestSettings.ON, TestSettings.tracing("console", null, "grpc", sampleRate), TestSettings.NO_METRICS,
                new PrintStream(printed, true, StandardCharsets.UTF_8)).tracer();
    }

    private int exportedTraces() {
        return (int) printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("trace ")).count();
    }

    private static int runRoots(Tracer tracer, int count) {
        int recording = 0;
        for (int i = 0; i < count; i++) {
            Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
            Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
            assertThat(child.isRecording()).as("a child follows its root").isEqualTo(root.isRecording());
            recording += root.isRecording() ? 1 : 0;
            child.end();
            root.end();
        }
        return recording;
    }

    @Test
    void rateZeroExportsNoRootTrace() {
        Tracer tracer = tracer(0.0);
        assertThat(runRoots(tracer, 500)).isZero();
        assertThat(exportedTraces()).isZero();
    }

    @Test
    void rateOneExportsEveryTrace() {
        Tracer tracer = tracer(1.0);
        assertThat(runRoots(tracer, 500)).isEqualTo(500);
        assertThat(exportedTraces()).isEqualTo(500);
    }

    @Test
    void rateAQuarterSamplesAQuarterWithinStatisticalBounds() {
        Tracer tracer = tracer(0.25);
        int sampled = runRoots(tracer, TRACES);
        // Binomial(4000, 0.25): mean 1000, standard deviation ~27.4; 6 sigma keeps a false failure below 1e-8.
        assertThat(sampled).isBetween(1000 - 165, 1000 + 165);
        assertThat(exportedTraces()).isEqualTo(sampled);
    }

    @Test
    void theWritersSampledFlagDecidesForItsChildrenWhateverTheRate() {
        Tracer never = tracer(0.0);
        for (int i = 0; i < 50; i++) {
            Span root = never.startTrace("process_event", SampleTrace.writer(true), SpanKind.CONSUMER);
            assertThat(root.isRecording()).isTrue();
            assertThat(root.context().isSampled()).isTrue();
            root.end();
        }
        assertThat(exportedTraces()).isEqualTo(50);

        printed.reset();
        Tracer always = tracer(1.0);
        for (int i = 0; i < 50; i++) {
            TraceContext writer = SampleTrace.writer(false);
            Span root = always.startTrace("process_event", writer, SpanKind.CONSUMER);
            Span child = always.startSpan("execute_action", root, SpanKind.CLIENT);
            assertThat(root.isRecording()).isFalse();
            assertThat(child.isRecording()).isFalse();
            // Not recorded, but the child's own context goes downstream: the writer's trace, still marked unsampled.
            TraceContext outgoing = child.propagationContext(writer);
            assertThat(outgoing.traceId()).isEqualTo(writer.traceId());
            assertThat(outgoing.spanId()).isNotEqualTo(writer.spanId()).isNotEqualTo(root.context().spanId());
            assertThat(outgoing.isSampled()).isFalse();
            assertThat(outgoing.tracestate()).isEqualTo(writer.tracestate());
            child.end();
            root.end();
        }
        assertThat(exportedTraces()).isZero();
    }

    /**
     * sample_rate 0 and no writer: nothing is exported, yet the webhook still gets a traceparent, the
     * execute_action span's own (a new trace, flag 00), so the receiver continues the same unsampled trace.
     */
    @Test
    void anUnsampledNewTraceStillPropagatesItsOwnContextMarkedNotSampled() {
        Tracer never = tracer(0.0);
        Span root = never.startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        Span action = never.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        Map<String, String> headers = new HashMap<>();
        assertThat(action.isRecording()).isFalse();
        action.propagate(TraceContext.NONE, headers::put);
        action.end();
        root.end();

        assertThat(root.context().isValid()).as("an unsampled root has a context of its own").isTrue();
        TraceContext sent = TraceContext.parse(headers.get("traceparent")).orElseThrow();
        assertThat(sent.traceId()).isEqualTo(root.context().traceId());
        assertThat(sent.spanId()).isEqualTo(action.context().spanId()).isNotEqualTo(root.context().spanId());
        // Not sampled; the SDK may also set W3C level 2's "random trace id" flag (02) on a trace it starts.
        assertThat(sent.isSampled()).isFalse();
        assertThat(exportedTraces()).isZero();
    }

    /** A writer that did not sample: the receiver gets the execute_action span's context, not the writer's header. */
    @Test
    void anUnsampledWritersEventPropagatesTheActionsOwnContext() {
        Tracer always = tracer(1.0);
        TraceContext writer = SampleTrace.writer(false);
        Span root = always.startTrace("process_event", writer, SpanKind.CONSUMER);
        Span action = always.startSpan("execute_action", root, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        Map<String, String> headers = new HashMap<>();
        action.propagate(writer, headers::put);
        action.end();
        root.end();

        assertThat(headers.get("traceparent")).isNotEqualTo(writer.traceparent())
                .isEqualTo("00-" + writer.traceId() + "-" + action.context().spanId() + "-00");
        assertThat(headers).containsEntry("tracestate", writer.tracestate());
    }
}
