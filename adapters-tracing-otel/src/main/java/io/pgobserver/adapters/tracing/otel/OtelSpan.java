package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;
import org.slf4j.MDC;

import java.util.function.BiConsumer;

/**
 * A domain span on an OpenTelemetry span. A span that was not sampled still has its own, valid context (sampled
 * flag 0), as in OpenTelemetry: its children inherit the decision, and it is the context propagated downstream, so
 * a webhook receiver continues the same trace id and the same sampling decision (guide: "Sampling", "Webhook
 * requests"). Every other call returns at once when the span is not recording. One span is used by one task (the
 * port's rule); the lazily made fields hold immutable values, so even a parent whose children start on several
 * threads at once at worst makes one of them twice.
 */
final class OtelSpan implements Span {

    static final String MDC_TRACE_ID = "trace_id";
    static final String MDC_SPAN_ID = "span_id";

    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error");
    private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
    private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");

    private final io.opentelemetry.api.trace.Span span;
    private final TextMapPropagator propagator;
    private final boolean recording;
    private boolean ended;
    private Context context;
    private TraceContext traceContext;
    private PassThroughSpan passThrough;

    OtelSpan(io.opentelemetry.api.trace.Span span) {
        this(span, W3CTraceContextPropagator.getInstance());
    }

    /** @param propagator writes the headers that carry this span's context downstream ({@code OTEL_PROPAGATORS}) */
    OtelSpan(io.opentelemetry.api.trace.Span span, TextMapPropagator propagator) {
        this.span = span;
        this.propagator = propagator;
        this.recording = span.isRecording();
    }

    @Override
    public boolean isRecording() {
        return recording && !ended;
    }

    @Override
    public Span setAttribute(String key, String value) {
        if (isRecording() && key != null) {
            span.setAttribute(AttributeKeys.string(key), value);
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, long value) {
        if (isRecording() && key != null) {
            span.setAttribute(AttributeKeys.longKey(key), value);
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, double value) {
        if (isRecording() && key != null) {
            span.setAttribute(AttributeKeys.doubleKey(key), value);
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, boolean value) {
        if (isRecording() && key != null) {
            span.setAttribute(AttributeKeys.booleanKey(key), value);
        }
        return this;
    }

    @Override
    public Span addEvent(String name) {
        if (isRecording() && name != null) {
            span.addEvent(name);
        }
        return this;
    }

    @Override
    public Span recordError(String message, Throwable cause) {
        if (!isRecording()) {
            return this;
        }
        // An exception's message and stack may carry what its thrower saw (a URL with a password, a token): the
        // span gets the exception's type and a redacted message, never the stack trace.
        String text = Urls.redactIn(message != null ? message : cause != null ? String.valueOf(cause) : "error");
        span.setStatus(StatusCode.ERROR, text);
        span.setAttribute(ERROR, text);
        // The semantic conventions' exception event, also for failures that are not exceptions (an HTTP 500).
        span.addEvent("exception", cause == null ? Attributes.of(EXCEPTION_MESSAGE, text)
                : Attributes.of(EXCEPTION_TYPE, cause.getClass().getName(), EXCEPTION_MESSAGE, text));
        return this;
    }

    @Override
    public TraceContext context() {
        TraceContext own = traceContext;
        if (own == null) {
            // Recording or not: an unsampled span's context carries the trace id and the "not sampled" flag on, which
            // the writer's context (or none at all, for a new trace) would not. Invalid only for a span that has none.
            own = TraceContexts.toDomain(span.getSpanContext());
            traceContext = own;
        }
        return own;
    }

    /** The configured propagators' headers for this span's context (sampled or not); the upstream one only when it has none. */
    @Override
    public void propagate(TraceContext upstream, BiConsumer<String, String> header) {
        TraceContext context = propagationContext(upstream);
        if (context.isValid()) {
            Context carrier = Context.root().with(io.opentelemetry.api.trace.Span.wrap(TraceContexts.toRemote(context)));
            propagator.inject(carrier, header, (headers, name, value) -> headers.accept(name, value));
        }
    }

    @Override
    public Scope makeCurrent() {
        io.opentelemetry.context.Scope scope = otelContext().makeCurrent();
        SpanContext spanContext = span.getSpanContext();
        if (!recording) {
            // Ids of a trace nobody records would lead a reader of the logs nowhere.
            return scope::close;
        }
        String previousTraceId = MDC.get(MDC_TRACE_ID);
        String previousSpanId = MDC.get(MDC_SPAN_ID);
        MDC.put(MDC_TRACE_ID, spanContext.getTraceId());
        MDC.put(MDC_SPAN_ID, spanContext.getSpanId());
        return () -> {
            restore(MDC_TRACE_ID, previousTraceId);
            restore(MDC_SPAN_ID, previousSpanId);
            scope.close();
        };
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }

    @Override
    public void end() {
        if (!ended) {
            ended = true;
            span.end();
        }
    }

    /** The OpenTelemetry context holding this span, the parent of its children. */
    Context otelContext() {
        Context own = context;
        if (own == null) {
            own = Context.root().with(span);
            context = own;
        }
        return own;
    }

    /** The stand-in for children of a switched-off component: one per span, reused. */
    PassThroughSpan passThrough() {
        PassThroughSpan own = passThrough;
        if (own == null) {
            own = new PassThroughSpan(this);
            passThrough = own;
        }
        return own;
    }

    io.opentelemetry.api.trace.Span otelSpan() {
        return span;
    }

    @Override
    public String toString() {
        return "OtelSpan{" + span.getSpanContext().getTraceId() + '/' + span.getSpanContext().getSpanId() + '}';
    }
}
