package io.pgobserver.adapters.tracing.noop;

import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

/**
 * The one span of the no-op tracer. It has no context of its own, so {@link #propagationContext} hands the
 * writer's context through unchanged and a trace still reaches the webhook receiver with tracing off.
 */
final class NoopSpan implements Span {

    static final NoopSpan INSTANCE = new NoopSpan();

    private NoopSpan() {
    }

    @Override
    public boolean isRecording() {
        return false;
    }

    @Override
    public Span setAttribute(String key, String value) {
        return this;
    }

    @Override
    public Span setAttribute(String key, long value) {
        return this;
    }

    @Override
    public Span setAttribute(String key, double value) {
        return this;
    }

    @Override
    public Span setAttribute(String key, boolean value) {
        return this;
    }

    @Override
    public Span addEvent(String name) {
        return this;
    }

    @Override
    public Span recordError(String message, Throwable cause) {
        return this;
    }

    @Override
    public TraceContext context() {
        return TraceContext.NONE;
    }

    @Override
    public Scope makeCurrent() {
        return Scope.NOOP;
    }

    @Override
    public void end() {
        // nothing was started
    }

    @Override
    public TraceContext propagationContext(TraceContext upstream) {
        return upstream;
    }

    @Override
    public String toString() {
        return "NoopSpan";
    }
}
