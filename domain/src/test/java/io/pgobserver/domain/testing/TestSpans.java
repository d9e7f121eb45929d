package io.pgobserver.domain.testing;

import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;

/** Spans for executor tests: a recorded execute_action span under a process_event root, or a no-op one. */
public final class TestSpans {

    private TestSpans() {
    }

    /** The span the application would give an attempt: a CLIENT child of the event's root span. */
    public static RecordingTracer.RecordedSpan actionSpan(RecordingTracer tracer, TraceContext writer) {
        Span root = tracer.startTrace("process_event", writer, SpanKind.INTERNAL);
        return (RecordingTracer.RecordedSpan) tracer.startSpan("execute_action", root, SpanKind.CLIENT);
    }

    /** What the no-op tracer hands out: records nothing, has no context of its own. */
    public static final Span NOOP = new Span() {
        @Override
        public boolean isRecording() {
            return false;
        }

        @Override
        public Span setAttribute(String key, String value) {
            throw new AssertionError("attribute " + key + " set on a span that is not recording");
        }

        @Override
        public Span setAttribute(String key, long value) {
            throw new AssertionError("attribute " + key + " set on a span that is not recording");
        }

        @Override
        public Span setAttribute(String key, double value) {
            throw new AssertionError("attribute " + key + " set on a span that is not recording");
        }

        @Override
        public Span setAttribute(String key, boolean value) {
            throw new AssertionError("attribute " + key + " set on a span that is not recording");
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
        }
    };
}
