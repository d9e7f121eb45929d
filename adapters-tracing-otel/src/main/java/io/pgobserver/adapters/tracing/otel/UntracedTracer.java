package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

/**
 * The tracer of this adapter when its settings say no spans ({@code enabled: false} or {@code exporter: none})
 * but the bootstrap installed it anyway, for its metrics: every span is {@link PassThroughSpan#NONE}.
 */
final class UntracedTracer implements Tracer {

    static final UntracedTracer INSTANCE = new UntracedTracer();

    private UntracedTracer() {
    }

    @Override
    public boolean isEnabled() {
        return false;
    }

    @Override
    public Span startTrace(String name, TraceContext remoteParent, SpanKind kind) {
        return PassThroughSpan.NONE;
    }

    @Override
    public Span startLinkedTrace(String name, TraceContext linkedTo, SpanKind kind) {
        return PassThroughSpan.NONE;
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind) {
        return PassThroughSpan.NONE;
    }

    @Override
    public Span startSpan(String name, Span parent, SpanKind kind, Component component) {
        return PassThroughSpan.NONE;
    }

    @Override
    public String toString() {
        return "UntracedTracer";
    }
}
