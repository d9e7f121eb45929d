package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;

/**
 * Keeps a span exporter from harming delivery: a failed or throwing export drops its spans,
 * counts them, and logs a warning at most once a minute that names the exporter, its endpoint and the fix.
 * Exports run on the batch processor's own thread, so a slow backend never blocks an event either.
 */
final class GuardedSpanExporter implements SpanExporter {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedSpanExporter.class);

    private final String description;
    private final SpanExporter delegate;
    private final QueueDropMonitor queueDrops;
    private final RateLimitedWarning failures;

    /**
     * @param description the exporter and its endpoint, for the warning
     * @param queueDrops  told on every export, so queue-full drops are noticed while the exporter is busy
     */
    GuardedSpanExporter(String description, SpanExporter delegate, QueueDropMonitor queueDrops) {
        this.description = description;
        this.delegate = delegate;
        this.queueDrops = queueDrops;
        this.failures = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        queueDrops.check();
        int count = spans.size();
        CompletableResultCode result;
        try {
            result = delegate.export(spans);
        } catch (RuntimeException | LinkageError e) {
            failed(count, e);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> {
            if (!result.isSuccess()) {
                failed(count, result.getFailureThrowable());
            }
        });
        return result;
    }

    private void failed(int count, Throwable cause) {
        failures.record(count, dropped -> "tracing: exporter " + description + " could not deliver " + dropped
                + " span(s) since the last warning; they were dropped and events were not affected."
                + " Check that the trace backend runs and that tracing.endpoint/tracing.protocol point at it"
                + " (this warning repeats at most once a minute)", cause);
    }

    /** Spans that failed to export since start. */
    long failedSpans() {
        return failures.total();
    }

    @Override
    public CompletableResultCode flush() {
        try {
            return delegate.flush();
        } catch (RuntimeException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    @Override
    public CompletableResultCode shutdown() {
        queueDrops.check();
        try {
            return delegate.shutdown();
        } catch (RuntimeException e) {
            return CompletableResultCode.ofExceptionalFailure(e);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
