package io.pgobserver.benchmarks;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process exporter behind the batch processor: counts the spans it gets and drops them. Unlike the SDK's
 * {@code InMemorySpanExporter} it keeps nothing, so a run of millions of spans holds no memory, and the count
 * shows whether the batch processor had to drop spans (queue full) during the run.
 */
final class DiscardingSpanExporter implements SpanExporter {

    private final AtomicLong exported = new AtomicLong();

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        exported.addAndGet(spans.size());
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    long exported() {
        return exported.get();
    }

    @Override
    public String toString() {
        return "DiscardingSpanExporter";
    }
}
