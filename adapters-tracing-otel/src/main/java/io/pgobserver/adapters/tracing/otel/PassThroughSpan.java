package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.NonRecordingSpan;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.util.function.BiConsumer;

/**
 * A span that records nothing and stands for its parent: what a switched-off component
 * ({@code tracing.components}) gets, and what every span is when tracing is off. Its children attach to the
 * parent, and it propagates the parent's context, so a webhook sent under a switched-off executor span still
 * continues the trace at the event's span.
 */
final class PassThroughSpan extends NonRecordingSpan {

    /** Stands for nothing: tracing is off, the upstream context passes through untouched. */
    static final PassThroughSpan NONE = new PassThroughSpan(null);

    private final Span parent;

    PassThroughSpan(Span parent) {
        this.parent = parent;
    }

    /** The nearest span that records, or null. */
    Span parent() {
        return parent;
    }

    @Override
    public TraceContext context() {
        return parent == null ? TraceContext.NONE : parent.context();
    }

    @Override
    public TraceContext propagationContext(TraceContext upstream) {
        return parent == null ? upstream : parent.propagationContext(upstream);
    }

    /** The parent's headers: it may write other propagators' than W3C's. */
    @Override
    public void propagate(TraceContext upstream, BiConsumer<String, String> header) {
        if (parent == null) {
            super.propagate(upstream, header);
        } else {
            parent.propagate(upstream, header);
        }
    }

    @Override
    public String toString() {
        return parent == null ? "PassThroughSpan" : "PassThroughSpan{" + parent + '}';
    }
}
