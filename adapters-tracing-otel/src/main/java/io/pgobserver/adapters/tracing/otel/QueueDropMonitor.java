package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Notices spans the batch span processor dropped because its queue was full, and warns (at most once a
 * minute). The processor drops silently apart from its own metric {@value #PROCESSED}
 * with {@code error.type=queue_full}; this reader, registered on the meter provider the processors report to,
 * reads that counter when asked, at most once a second.
 */
final class QueueDropMonitor extends PullReader {

    static final String PROCESSED = "otel.sdk.processor.span.processed";
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final long CHECK_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Logger LOG = LoggerFactory.getLogger(QueueDropMonitor.class);

    private volatile int maxQueueSize;
    private final RateLimitedWarning warning;
    private final AtomicLong nextCheck = new AtomicLong(System.nanoTime());
    private long seen;

    QueueDropMonitor(int maxQueueSize) {
        this.maxQueueSize = maxQueueSize;
        this.warning = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);
    }

    /** The queue's size as the SDK was finally configured ({@code OTEL_BSP_MAX_QUEUE_SIZE} may change it). */
    void maxQueueSize(int size) {
        this.maxQueueSize = size;
    }

    /** Reads the drop counter unless it was read less than a second ago; never throws. */
    void check() {
        long now = System.nanoTime();
        long next = nextCheck.get();
        if (now - next < 0 || !nextCheck.compareAndSet(next, now + CHECK_INTERVAL_NANOS)) {
            return;
        }
        checkNow();
    }

    synchronized void checkNow() {
        CollectionRegistration current = registration();
        if (current == null) {
            return;
        }
        long dropped;
        try {
            dropped = droppedSoFar(current);
        } catch (RuntimeException e) {
            return;
        }
        long fresh = dropped - seen;
        seen = dropped;
        if (fresh > 0) {
            warning.record(fresh, count -> message(count, "") + warning.repeats(), null);
        }
    }

    /** At shutdown: reads the counter a last time and logs the drops no warning has counted yet. */
    synchronized void reportAtShutdown() {
        checkNow();
        warning.flush(count -> message(count, ", reported at shutdown"));
    }

    private String message(long count, String when) {
        return "tracing: the span queue was full (tracing.batch.max_queue_size=" + maxQueueSize + ") and " + count
                + " span(s) were dropped since the last warning" + when + "; events were not affected. The trace"
                + " backend is slow or unreachable, or spans are made faster than they are exported: raise"
                + " max_queue_size or max_export_batch_size, or lower sample_rate";
    }

    private static long droppedSoFar(CollectionRegistration registration) {
        long dropped = 0;
        for (MetricData metric : registration.collectAllMetrics()) {
            if (!metric.getName().equals(PROCESSED)) {
                continue;
            }
            for (LongPointData point : metric.getLongSumData().getPoints()) {
                if (point.getAttributes().get(ERROR_TYPE) != null) {
                    dropped += point.getValue();
                }
            }
        }
        return dropped;
    }

    /** Spans dropped from a full queue since start, as of the last check. */
    synchronized long dropped() {
        return seen;
    }

    @Override
    public String toString() {
        return "QueueDropMonitor";
    }
}
