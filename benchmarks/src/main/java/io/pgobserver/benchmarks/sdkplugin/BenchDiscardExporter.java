package io.pgobserver.benchmarks.sdkplugin;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench --span-export discard}: the span exporter {@value #NAME}, which the SDK's autoconfiguration finds on
 * the bench's class path by that name ({@code OTEL_TRACES_EXPORTER}). It counts the spans the batch processor hands
 * it and sends nothing, so a run with it pays for making, ending and queueing every span, and not for encoding and
 * sending them. ({@code tracing.exporter: none} would not do: pg-observer reads it as tracing off.)
 *
 * <p>It is an SDK plug-in, as a user's own exporter jar would be, and the one place outside the OpenTelemetry
 * adapter where OpenTelemetry types appear (the architecture rules name this package).
 */
public final class BenchDiscardExporter implements ConfigurableSpanExporterProvider {

    public static final String NAME = "bench-discard";
    private static final AtomicLong DISCARDED = new AtomicLong();

    /** Spans discarded in this JVM since it started. */
    public static long discarded() {
        return DISCARDED.get();
    }

    @Override
    public SpanExporter createExporter(ConfigProperties config) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                DISCARDED.addAndGet(spans.size());
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
        };
    }

    @Override
    public String getName() {
        return NAME;
    }
}
