package io.pgobserver.domain.trace;

/**
 * The one span of the no-op tracer ({@link Span#noop()}). It has no context of its own, so
 * {@link #propagationContext} hands the writer's context through unchanged and a trace still reaches the webhook
 * receiver with tracing off.
 */
final class NoopSpan extends NonRecordingSpan {

    static final NoopSpan INSTANCE = new NoopSpan();

    private NoopSpan() {
    }

    @Override
    public String toString() {
        return "NoopSpan";
    }
}
