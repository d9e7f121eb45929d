package io.pgobserver.domain.trace;

/**
 * Starts spans. The port the use cases trace through; adapters put it on OpenTelemetry or on nothing.
 *
 * <p>A span belongs to a component ({@link Component}); a tracer may be told to leave some components out,
 * in which case it returns a non-recording span whose children attach to the nearest recording ancestor.
 */
public interface Tracer {

    /** The tracer that records nothing: one instance, allocation-free, as OpenTelemetry's {@code noop()}. */
    static Tracer noop() {
        return NoopTracer.INSTANCE;
    }

    /** False when every span this tracer starts is a no-op: callers may skip tracing work entirely. */
    boolean isEnabled();

    /**
     * Starts the root span of an event's processing: a child of the writer's context when that is valid, else
     * the root of a new trace.
     */
    Span startTrace(String name, TraceContext remoteParent, SpanKind kind);

    /**
     * Starts a new trace that links to an earlier one, as a dead-letter replay does: the original trace stays
     * whole, and the replay points back to it.
     */
    Span startLinkedTrace(String name, TraceContext linkedTo, SpanKind kind);

    /** Starts a child of a local span. */
    Span startSpan(String name, Span parent, SpanKind kind);

    /** Starts a child span that belongs to a component that may be switched off. */
    default Span startSpan(String name, Span parent, SpanKind kind, Component component) {
        return startSpan(name, parent, kind);
    }

    /**
     * This tracer, reporting its spans as another service: for a process that plays more than the observer, such
     * as the demo's shop that writes the rows and its webhook receiver. Spans go where the observer's go. A tracer
     * that records nothing returns itself.
     */
    default Tracer forService(String serviceName) {
        return this;
    }

    /** The parts of the observer whose spans can be switched off one by one ({@code tracing.components}). */
    enum Component {
        LISTENER, EXECUTOR, CACHE, DLQ
    }
}
