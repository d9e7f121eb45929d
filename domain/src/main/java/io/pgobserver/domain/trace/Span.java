package io.pgobserver.domain.trace;

import java.util.function.BiConsumer;

/**
 * One timed operation of the span tree (docs/architecture.md).
 *
 * <p>Callers check {@link #isRecording()} before computing attribute values that cost anything: a span that
 * is not recording (tracing off, or not sampled) ignores every call, and implementations must make those
 * calls free. Spans are not thread-safe beyond what OpenTelemetry gives: one span is used by one task.
 */
public interface Span {

    /** The span that records nothing and propagates the upstream context: what {@link Tracer#noop()} starts. */
    static Span noop() {
        return NoopSpan.INSTANCE;
    }

    /** True when attributes and events set on this span will be exported. */
    boolean isRecording();

    Span setAttribute(String key, String value);

    Span setAttribute(String key, long value);

    Span setAttribute(String key, double value);

    Span setAttribute(String key, boolean value);

    /** Adds a timestamped event, such as a retry wait. */
    Span addEvent(String name);

    /**
     * Marks the span failed: status ERROR, an {@code error} attribute with the message, and an exception
     * event. The message must already be free of secrets.
     */
    Span recordError(String message, Throwable cause);

    /** The context to propagate downstream; {@link TraceContext#NONE} when this span has none of its own. */
    TraceContext context();

    /** Makes this span current on this thread until the scope closes (for log correlation). */
    Scope makeCurrent();

    void end();

    /**
     * The context to send to a downstream service: this span's own when it has one, else the given
     * upstream context, so a trace passes through an observer that does not trace itself.
     */
    default TraceContext propagationContext(TraceContext upstream) {
        TraceContext own = context();
        return own.isValid() ? own : upstream;
    }

    /**
     * Writes the headers that carry {@link #propagationContext} downstream: W3C {@code traceparent} and
     * {@code tracestate} here; a tracer configured with other propagators ({@code OTEL_PROPAGATORS}) writes theirs.
     */
    default void propagate(TraceContext upstream, BiConsumer<String, String> header) {
        TraceContext context = propagationContext(upstream);
        if (context.isValid()) {
            header.accept("traceparent", context.traceparent());
            if (!context.traceState().isEmpty()) {
                header.accept("tracestate", context.tracestate());
            }
        }
    }
}
