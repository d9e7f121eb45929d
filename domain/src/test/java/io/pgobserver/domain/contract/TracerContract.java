package io.pgobserver.domain.contract;

import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * What every {@link Tracer} must do, recording or not: the whole span life cycle works, never throws,
 * and trace context propagates: a recording span continues the writer's trace; one that is not sampled passes on
 * its own context, marked not sampled; the no-op tracer's passes the writer's context through untouched.
 */
public abstract class TracerContract {

    protected abstract Tracer newTracer();

    protected static final TraceContext WRITER =
            TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").orElseThrow();

    @Test
    void aFullLifeCycleNeverThrows() {
        Tracer tracer = newTracer();
        assertThatCode(() -> {
            Span root = tracer.startTrace("process_event", WRITER, SpanKind.INTERNAL);
            try (Scope ignored = root.makeCurrent()) {
                Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT,
                        Tracer.Component.EXECUTOR);
                child.setAttribute("s", "v").setAttribute("l", 1L).setAttribute("d", 1.5).setAttribute("b", true);
                child.addEvent("retry");
                child.recordError("boom", new IllegalStateException("boom"));
                child.end();
            }
            root.end();
            tracer.startTrace("process_event", null, SpanKind.INTERNAL).end();
            tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL).end();
            tracer.startLinkedTrace("replay", WRITER, SpanKind.INTERNAL).end();
            tracer.startLinkedTrace("replay", TraceContext.NONE, SpanKind.INTERNAL).end();
        }).doesNotThrowAnyException();
    }

    @Test
    void aRecordingSpanContinuesTheWritersTraceAndANonRecordingOnePassesItThrough() {
        Tracer tracer = newTracer();
        Span root = tracer.startTrace("process_event", WRITER, SpanKind.INTERNAL);
        Span child = tracer.startSpan("execute_action", root, SpanKind.CLIENT);
        TraceContext outgoing = child.propagationContext(WRITER);
        assertThat(outgoing.isValid()).isTrue();
        assertThat(outgoing.traceId()).isEqualTo(WRITER.traceId());
        if (child.isRecording()) {
            assertThat(outgoing.spanId()).isNotEqualTo(WRITER.spanId()).isEqualTo(child.context().spanId());
        } else {
            assertThat(outgoing).isEqualTo(WRITER);
        }
        child.end();
        root.end();
    }

    @Test
    void aNewTraceHasItsOwnIdWhenRecording() {
        Tracer tracer = newTracer();
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL);
        if (root.isRecording()) {
            assertThat(root.context().isValid()).isTrue();
        } else if (tracer.isEnabled()) {
            // Not sampled: it may have a context of its own (OpenTelemetry's does), but never a sampled one.
            assertThat(root.context().isValid() && root.context().isSampled()).isFalse();
        } else {
            assertThat(root.context().isValid()).isFalse();
        }
        root.end();
    }

    @Test
    void isEnabledAgreesWithRecording() {
        Tracer tracer = newTracer();
        Span root = tracer.startTrace("process_event", WRITER, SpanKind.INTERNAL);
        if (!tracer.isEnabled()) {
            assertThat(root.isRecording()).isFalse();
        }
        root.end();
    }
}
