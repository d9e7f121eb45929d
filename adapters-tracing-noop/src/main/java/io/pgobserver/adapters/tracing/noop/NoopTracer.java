package io.pgobserver.adapters.tracing.noop;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

/**
 * The tracer when tracing is off: every span is {@link NoopSpan#INSTANCE}, so a traced code path costs a
 * few virtual calls and allocates nothing (DESIGN.md §5). Modelled on OpenTelemetry's {@code DefaultTracer}.
 */
final class NoopTracer implements Tracer {

    static final NoopTracer INSTANCE = new NoopTracer();

    private NoopTracer() {
    }

    @Override
    public boolean isEnabled() {
        return false;
    }

    @Override
    public Span startTrace(String name, TraceContext remoteParent, SpanKind kind) {
        return NoopSpan.INSTANCE;
    }

    @Override
    public Span startLinkedTrace(String name, TraceContext linkedTo, SpanKind kind) {
        return NoopSpan.INSTANCE;
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind) {
        return NoopSpan.INSTANCE;
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind, Component component) {
        return NoopSpan.INSTANCE;
    }

    @Override
    public String toString() {
        return "NoopTracer";
    }
}
