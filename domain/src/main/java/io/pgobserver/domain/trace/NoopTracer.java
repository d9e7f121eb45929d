package io.pgobserver.domain.trace;

/**
 * The tracer when tracing is off ({@link Tracer#noop()}): every span is {@link NoopSpan#INSTANCE}, so a traced
 * code path costs a few virtual calls and allocates nothing. Modelled on OpenTelemetry's {@code DefaultTracer}:
 * one instance for the whole process, installed by {@code adapters-tracing-noop} and reused by any tracing
 * adapter whose settings turn spans off.
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
