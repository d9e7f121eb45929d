package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * The main tracer provider's span processors as another provider of this process sees them (a service the demo
 * plays): spans pass through, but flushing and shutting down stay with the main provider, which owns them.
 */
final class SharedProcessor implements SpanProcessor {

    private final SpanProcessor processor;

    SharedProcessor(SpanProcessor processor) {
        this.processor = processor;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        processor.onStart(parentContext, span);
    }

    @Override
    public boolean isStartRequired() {
        return processor.isStartRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
        processor.onEnd(span);
    }

    @Override
    public boolean isEndRequired() {
        return processor.isEndRequired();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }
}
