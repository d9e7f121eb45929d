package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * {@code tracing.only_errors}: holds an event's ended spans until its local root ends, then hands the whole tree
 * to the next processor (the batch processor, or the console's) only when something went wrong — a span with
 * error status (a failed or retried attempt, a failed condition, a dead letter) or an attempt after the first.
 * Trees without errors are kept at {@code successRate}, decided on the trace id so every processor keeps the same
 * ones. Held spans are bounded: past {@code maxHeld} spans the newest are dropped and counted.
 *
 * <p>Every span of the event ends before its root (the pipeline ends children first), so the root's end closes
 * the tree. Spans whose root never ends here (a trace cut off at shutdown, a span ended after its root) would
 * hold their place forever: when the bound is reached, trees waiting longer than {@link #STALE} are dropped and
 * counted first.
 */
final class OnlyErrorsProcessor implements SpanProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(OnlyErrorsProcessor.class);
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("attempt");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error");
    /** Longer than any event takes (retries included) when its root has not ended: the root is not coming. */
    static final Duration STALE = Duration.ofMinutes(10);

    private final SpanProcessor next;
    private final double successRate;
    private final int maxHeld;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final AtomicInteger heldSpans = new AtomicInteger();
    private final RateLimitedWarning drops = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);
    private final LongSupplier nanoTime;

    /**
     * @param successRate the share of error-free trees kept, 0.0 to 1.0
     * @param maxHeld     how many spans may wait for their root at once, across all events
     */
    OnlyErrorsProcessor(SpanProcessor next, double successRate, int maxHeld) {
        this(next, successRate, maxHeld, System::nanoTime);
    }

    /** @param nanoTime the clock that tells stale trees, {@link System#nanoTime()} but in tests */
    OnlyErrorsProcessor(SpanProcessor next, double successRate, int maxHeld, LongSupplier nanoTime) {
        if (!(successRate >= 0.0 && successRate <= 1.0) || maxHeld < 1) {
            throw new IllegalArgumentException("successRate must be 0.0-1.0 and maxHeld positive");
        }
        this.next = next;
        this.successRate = successRate;
        this.maxHeld = maxHeld;
        this.nanoTime = nanoTime;
    }

    /** The spans of one trace waiting for its root. */
    private static final class Held {
        final List<ReadableSpan> spans = new ArrayList<>();
        final long since;
        boolean errored;

        Held(long since) {
            this.since = since;
        }
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        next.onStart(parentContext, span);
    }

    @Override
    public boolean isStartRequired() {
        return next.isStartRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
        String traceId = span.getSpanContext().getTraceId();
        SpanContext parent = span.getParentSpanContext();
        boolean root = !parent.isValid() || parent.isRemote();
        if (!root) {
            if (heldSpans.get() >= maxHeld) {
                dropStale();
            }
            if (heldSpans.incrementAndGet() > maxHeld) {
                heldSpans.decrementAndGet();
                // The tree is incomplete now, but an error in it must still be noticed: the flag is kept, and a
                // failed span itself is exported at once, since it is the one an operator looks for.
                boolean failed = failed(span);
                Held h = held.computeIfAbsent(traceId, id -> new Held(nanoTime.getAsLong()));
                synchronized (h) {
                    h.errored |= failed;
                }
                if (failed) {
                    next.onEnd(span);
                } else {
                    dropped(1);
                }
                return;
            }
            Held h = held.computeIfAbsent(traceId, id -> new Held(nanoTime.getAsLong()));
            synchronized (h) {
                h.spans.add(span);
                h.errored |= failed(span);
            }
            return;
        }
        Held h = held.remove(traceId);
        List<ReadableSpan> tree = new ArrayList<>();
        boolean errored = failed(span);
        if (h != null) {
            synchronized (h) {
                tree.addAll(h.spans);
                errored |= h.errored;
            }
            heldSpans.addAndGet(-h.spans.size());
        }
        tree.add(span);
        if (errored || keepsSuccess(traceId)) {
            for (ReadableSpan s : tree) {
                next.onEnd(s);
            }
        }
    }

    /** Drops and counts the trees whose root has not ended for {@link #STALE}. */
    private void dropStale() {
        long now = nanoTime.getAsLong();
        held.entrySet().removeIf(entry -> {
            Held h = entry.getValue();
            if (now - h.since < STALE.toNanos()) {
                return false;
            }
            int count;
            synchronized (h) {
                count = h.spans.size();
            }
            heldSpans.addAndGet(-count);
            dropped(count);
            return true;
        });
    }

    private static boolean failed(ReadableSpan span) {
        // OtelSpan.recordError is the one place that sets status ERROR, and it sets the error attribute beside it:
        // reading the attribute spares a copy of the whole span (toSpanData) for every span that ends.
        if (span.getAttribute(ERROR) != null) {
            return true;
        }
        Long attempt = span.getAttribute(ATTEMPT);
        return attempt != null && attempt > 1;
    }

    /** The trace-id ratio rule of the SDK's sampler: the same trace is kept or not by every processor. */
    private boolean keepsSuccess(String traceId) {
        if (successRate >= 1.0) {
            return true;
        }
        if (successRate <= 0.0) {
            return false;
        }
        long random = Long.parseUnsignedLong(traceId.substring(16), 16) & Long.MAX_VALUE;
        return random < (long) (successRate * Long.MAX_VALUE);
    }

    private void dropped(long count) {
        drops.record(count, n -> "tracing: " + n + " span(s) were dropped since the last warning while waiting for"
                + " their event to finish (tracing.only_errors holds at most " + maxHeld + " spans); events were"
                + " not affected (this warning repeats at most once a minute)", null);
    }

    /** Spans dropped because too many were held. */
    long droppedSpans() {
        return drops.total();
    }

    /** Spans waiting for their root now. */
    int heldSpans() {
        return heldSpans.get();
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    @Override
    public CompletableResultCode forceFlush() {
        return next.forceFlush();
    }

    @Override
    public CompletableResultCode shutdown() {
        held.clear();
        heldSpans.set(0);
        return next.shutdown();
    }

    @Override
    public String toString() {
        return "OnlyErrorsProcessor{successRate=" + successRate + ", maxHeld=" + maxHeld + ", next=" + next + "}";
    }
}
