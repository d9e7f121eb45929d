package io.pgobserver.domain.trace;

/**
 * The base of spans that record nothing: every call returns at once and allocates nothing. Tracing adapters
 * extend it for their no-op spans (a singleton when tracing is off, a stand-in for a switched-off component)
 * and override only what differs: the context they propagate.
 */
public abstract class NonRecordingSpan implements Span {

    protected NonRecordingSpan() {
    }

    @Override
    public final boolean isRecording() {
        return false;
    }

    @Override
    public final Span setAttribute(String key, String value) {
        return this;
    }

    @Override
    public final Span setAttribute(String key, long value) {
        return this;
    }

    @Override
    public final Span setAttribute(String key, double value) {
        return this;
    }

    @Override
    public final Span setAttribute(String key, boolean value) {
        return this;
    }

    @Override
    public final Span addEvent(String name) {
        return this;
    }

    @Override
    public final Span recordError(String message, Throwable cause) {
        return this;
    }

    /** No context of its own: downstream gets the upstream context (see {@link #propagationContext}). */
    @Override
    public TraceContext context() {
        return TraceContext.NONE;
    }

    /** Where the span is used, the current context is already right: making this span current changes nothing. */
    @Override
    public Scope makeCurrent() {
        return Scope.NOOP;
    }

    @Override
    public final void end() {
        // nothing was started
    }

    @Override
    public TraceContext propagationContext(TraceContext upstream) {
        return upstream;
    }
}
