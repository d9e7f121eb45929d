package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.domain.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Keeps a span exporter from harming delivery: a failed or throwing export drops its spans,
 * counts them, and logs a warning at most once a minute that names the exporter, its endpoint, the cause (the
 * backend's status when it answered) and the fix. The first export that succeeds after failures (the back-end
 * restarted, or stopped hanging) says so at once, with what the outage dropped: a warning a minute alone would leave
 * the reader guessing whether spans flow again. At shutdown the spans not reported yet get a last warning, and
 * so does any export that fails after it: nothing would report them later. An attempt the exporter will retry (an
 * OTLP exporter's, {@link FailedAttempts}) is said at once when exports were not failing, so that the first line of an
 * outage comes when it begins, not when the batch's retries have run out.
 * Exports run on the batch processor's own thread, so a slow backend never blocks an event either.
 */
final class GuardedSpanExporter implements SpanExporter {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedSpanExporter.class);

    private static final String FIX =
            "Check that the trace backend runs and that tracing.endpoint/tracing.protocol point at it";

    private final String description;
    private final SpanExporter delegate;
    private final QueueDropMonitor queueDrops;
    private final RateLimitedWarning failures;
    /** The lines saying an export failed an attempt and retries it, limited on their own. */
    private final RateLimitedWarning retries;
    private final ExportOutage outage = new ExportOutage();
    /** The last failure's cause in words, for the warning that reports it (possibly at shutdown). */
    private volatile String lastCause;
    private volatile boolean shutDown;
    /** What a cause in words may mean with this exporter's settings ({@link OtlpTlsFailure}). */
    private final UnaryOperator<String> meaning;
    /** A line said an attempt is retried, and no line has said since how that ended. */
    private volatile boolean retrySaid;

    /**
     * @param description the exporter and its endpoint, for the warning
     * @param queueDrops  told on every export, so queue-full drops are noticed while the exporter is busy
     */
    GuardedSpanExporter(String description, SpanExporter delegate, QueueDropMonitor queueDrops) {
        this(description, willRetry -> delegate, queueDrops);
    }

    GuardedSpanExporter(String description, Function<Consumer<String>, SpanExporter> delegate,
                        QueueDropMonitor queueDrops) {
        this(description, delegate, queueDrops, UnaryOperator.identity());
    }

    /**
     * @param delegate the exporter, given what to tell of each failed attempt it will retry, with its cause in words
     *                 ({@link FailedAttempts}): told only while it exports, after this is built
     * @param meaning  adds to a failure's cause in words what it may mean with the exporter's settings
     */
    GuardedSpanExporter(String description, Function<Consumer<String>, SpanExporter> delegate,
                        QueueDropMonitor queueDrops, UnaryOperator<String> meaning) {
        this.description = description;
        this.meaning = meaning;
        this.queueDrops = queueDrops;
        this.failures = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);
        this.retries = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);
        this.delegate = delegate.apply(this::willRetry);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        queueDrops.check();
        int count = spans.size();
        CompletableResultCode result;
        outage.sent(System.nanoTime());
        try {
            result = delegate.export(spans);
        } catch (RuntimeException | LinkageError e) {
            failed(count, e);
            return CompletableResultCode.ofFailure();
        }
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                resumed();
            } else {
                failed(count, result.getFailureThrowable());
            }
        });
        return result;
    }

    /**
     * An attempt failed and the exporter retries it: said at once when exports were not failing, rather than when the
     * retries run out, so that an outage's first line comes at its start and not some 10 s later. Its own rate limit,
     * and no line while exports fail (their warnings say it), keep it from adding more than a line per outage.
     */
    private void willRetry(String because) {
        outage.attemptFailed(System.nanoTime());
        if (outage.failing()) {
            return;
        }
        lastCause = meaning.apply(because);
        retrySaid |= retries.record(1, attempts -> "tracing: exporter " + description + " failed to send spans (" + lastCause
                + ") and retries them; the spans it still cannot deliver are dropped and counted in the next warning,"
                + " and events are not affected. " + FIX + retries.repeats(), null);
    }

    private void resumed() {
        ExportOutage.Ended ended = outage.succeeded(System.nanoTime());
        boolean retried = retrySaid;
        retrySaid = false;
        if (ended == null) {
            if (retried) {
                LOG.warn("tracing: exporter {} delivers again: a retry went through, and no span was dropped", description);
            }
            return;
        }
        // The spans no warning has counted yet go into this line, so that the warnings still add up to every span lost.
        long unreported = failures.takePending();
        String because = lastCause;
        LOG.warn("tracing: exporter {} delivers again: export resumed after {} of failed exports, which dropped {}"
                        + " span(s){}{}; events were not affected", description, measured(ended.lasted()),
                ended.droppedSpans(), unreported > 0 ? " (" + unreported + " of them since the last warning)" : "",
                because == null ? "" : " (last failure: " + because + ")");
    }

    /** A measured stretch as the product's other lines say one ({@code 42s}, {@code 2m 16s}), and under a second too. */
    static String measured(Duration lasted) {
        return lasted.toSeconds() == 0 ? Durations.format(lasted) : Durations.rounded(lasted);
    }

    private void failed(int count, Throwable cause) {
        outage.failed(count, System.nanoTime());
        String because = ExportFailures.describe(cause);
        if (because != null) {
            lastCause = meaning.apply(because);
        }
        failures.record(count, dropped -> warning(dropped, "") + failures.repeats(), null);
        if (shutDown) {
            failures.flush(dropped -> warning(dropped, ", reported at shutdown"));
        }
    }

    private String warning(long dropped, String when) {
        String because = lastCause;
        return "tracing: exporter " + description + " could not deliver " + dropped + " span(s) since the last warning"
                + when + (because == null ? "" : " (last failure: " + because + ")")
                + "; they were dropped and events were not affected. " + FIX;
    }

    /**
     * Shutdown has begun: logs the failed spans no warning has counted yet, and from now on every failure at once,
     * since no later line would report it. The SDK calls it through {@link #shutdown()}; {@link OtelSdk#stop()}
     * too, in case the batch processor is still exporting when it stops waiting.
     */
    void closing() {
        shutDown = true;
        failures.flush(dropped -> warning(dropped, ", reported at shutdown"));
    }

    /** Whether the back-end failed the last export, or has not answered the one sent for a few seconds. */
    boolean inTrouble() {
        return outage.inTrouble(System.nanoTime());
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
        // The batch processor has exported what it could; failures that complete from now on are reported at once.
        closing();
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
