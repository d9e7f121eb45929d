package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * A span that {@link OnlyErrorsProcessor} keeps though the sampler did not sample it (its event went wrong): the
 * same span, marked sampled, because the batch and console processors export sampled spans only. Keeping it is a
 * sampling decision taken once the event has ended, so the flag says what happened to the span.
 */
final class KeptSpan implements ReadableSpan {

    private final ReadableSpan span;
    private final SpanContext context;

    private KeptSpan(ReadableSpan span) {
        this.span = span;
        SpanContext c = span.getSpanContext();
        this.context = SpanContext.create(c.getTraceId(), c.getSpanId(), TraceFlags.getSampled(), c.getTraceState());
    }

    /** The span itself when it is sampled; else the span marked sampled. */
    static ReadableSpan of(ReadableSpan span) {
        return span.getSpanContext().isSampled() ? span : new KeptSpan(span);
    }

    @Override
    public SpanContext getSpanContext() {
        return context;
    }

    @Override
    public SpanContext getParentSpanContext() {
        return span.getParentSpanContext();
    }

    @Override
    public String getName() {
        return span.getName();
    }

    @Override
    public SpanData toSpanData() {
        return new DelegatingSpanData(span.toSpanData()) {
            @Override
            public SpanContext getSpanContext() {
                return context;
            }
        };
    }

    @Override
    @SuppressWarnings("deprecation") // part of the interface until the SDK removes it
    public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
        return span.getInstrumentationLibraryInfo();
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return span.getInstrumentationScopeInfo();
    }

    @Override
    public boolean hasEnded() {
        return span.hasEnded();
    }

    @Override
    public long getLatencyNanos() {
        return span.getLatencyNanos();
    }

    @Override
    public SpanKind getKind() {
        return span.getKind();
    }

    @Override
    public <T> T getAttribute(AttributeKey<T> key) {
        return span.getAttribute(key);
    }

    @Override
    public Attributes getAttributes() {
        return span.getAttributes();
    }
}
