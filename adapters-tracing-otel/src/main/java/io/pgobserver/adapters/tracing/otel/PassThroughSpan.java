package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.NonRecordingSpan;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.util.function.BiConsumer;

/**
 * A span that records nothing and stands for its parent: what a switched-off component
 * ({@code tracing.components}) gets (with no parent, the component gets {@link Span#noop()} instead). Its children attach to the
 * parent, and it propagates the parent's context, so a webhook sent under a switched-off executor span still
 * continues the trace at the event's span.
 */
final class PassThroughSpan extends NonRecordingSpan {

    private final Span parent;

    PassThroughSpan(Span parent) {
        this.parent = java.util.Objects.requireNonNull(parent, "parent");
    }

    /** The nearest span that records. */
    Span parent() {
        return parent;
    }

    @Override
    public TraceContext context() {
        return parent.context();
    }

    @Override
    public TraceContext propagationContext(TraceContext upstream) {
        return parent.propagationContext(upstream);
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
        return "PassThroughSpan{" + parent + '}';
    }
}
