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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * {@code tracing.only_errors}: holds the spans of each local tree (an event's {@code process_event} and everything
 * under it) until the tree's root and every span started under it have ended, then hands the whole tree to the
 * next processor (the batch processor, or the console's) when something went wrong — a span with the error
 * attribute (a failed or retried attempt, a failed condition, a dead letter) or an attempt after the first.
 *
 * <p>Trees are keyed by their own root span, not by the trace: every row of one application transaction carries
 * the writer's trace, and their events run at once in parallel lanes, each its own tree. A span joins the tree of
 * its parent when it starts ({@link #onStart}), so a child that ends after its root is still waited for.
 *
 * <p>With the configured sampler ({@link RecordingSampler} turns its "drop" into "record only"): a tree that went
 * wrong is exported whatever the sampler said, its spans marked sampled ({@link KeptSpan}); a tree that went right
 * is exported only when the sampler sampled its root and {@code keepSampledSuccesses} is set (a sampler that samples
 * everything would make only_errors keep everything, so it keeps none then). Held spans are bounded: past
 * {@code maxHeld}, trees whose root has waited longer than {@link #STALE} are given up first (oldest first), then a
 * failed span is exported at once and any other dropped and counted. Every step is constant time per span.
 */
final class OnlyErrorsProcessor implements SpanProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(OnlyErrorsProcessor.class);
    private static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("attempt");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error");
    /** Longer than any event takes (retries included): a tree open this long is not going to close. */
    static final Duration STALE = Duration.ofMinutes(10);

    private final SpanProcessor next;
    private final boolean keepSampledSuccesses;
    private final int maxHeld;
    private final LongSupplier nanoTime;
    /** The tree of each span that has started and not ended, by span id. */
    private final Map<String, Tree> openSpans = new ConcurrentHashMap<>();
    /** Open trees, oldest first (guarded by itself): the stale ones are found at its head. */
    private final LinkedHashMap<Tree, Boolean> openTrees = new LinkedHashMap<>();
    private final AtomicInteger heldSpans = new AtomicInteger();
    private final RateLimitedWarning drops = new RateLimitedWarning(LOG, RateLimitedWarning.DEFAULT_INTERVAL);

    /**
     * @param keepSampledSuccesses whether a tree without errors is exported when the sampler sampled its root
     * @param maxHeld              how many ended spans may wait for their tree at once, across all trees
     */
    OnlyErrorsProcessor(SpanProcessor next, boolean keepSampledSuccesses, int maxHeld) {
        this(next, keepSampledSuccesses, maxHeld, System::nanoTime);
    }

    /** @param nanoTime the clock that tells stale trees, {@link System#nanoTime()} but in tests */
    OnlyErrorsProcessor(SpanProcessor next, boolean keepSampledSuccesses, int maxHeld, LongSupplier nanoTime) {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be positive, was " + maxHeld);
        }
        this.next = next;
        this.keepSampledSuccesses = keepSampledSuccesses;
        this.maxHeld = maxHeld;
        this.nanoTime = nanoTime;
    }

    /** One local tree: its ended spans waiting, and the ids of those still open (guarded by the tree). */
    private static final class Tree {
        final String rootId;
        final long since;
        final List<ReadableSpan> ended = new ArrayList<>();
        final Set<String> open = new HashSet<>();
        boolean errored;
        boolean rootEnded;
        boolean rootSampled;
        /** Flushed or given up: a span that comes late starts a tree of its own. */
        boolean closed;

        Tree(String rootId, long since) {
            this.rootId = rootId;
            this.since = since;
        }
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String spanId = span.getSpanContext().getSpanId();
        SpanContext parent = span.getParentSpanContext();
        Tree tree = parent.isValid() && !parent.isRemote() ? openSpans.get(parent.getSpanId()) : null;
        if (tree == null || !join(tree, spanId)) {
            tree = new Tree(spanId, nanoTime.getAsLong());
            join(tree, spanId);
            synchronized (openTrees) {
                openTrees.put(tree, Boolean.TRUE);
            }
        }
        openSpans.put(spanId, tree);
        next.onStart(parentContext, span);
    }

    private static boolean join(Tree tree, String spanId) {
        synchronized (tree) {
            return !tree.closed && tree.open.add(spanId);
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        String spanId = span.getSpanContext().getSpanId();
        boolean failed = failed(span);
        Tree tree = openSpans.remove(spanId);
        boolean room = reserve();
        boolean held = false;
        List<ReadableSpan> flush = null;
        int released = 0;
        boolean keep = false;
        if (tree != null) {
            synchronized (tree) {
                tree.open.remove(spanId);
                if (!tree.closed) {
                    tree.errored |= failed;
                    if (spanId.equals(tree.rootId)) {
                        tree.rootEnded = true;
                        tree.rootSampled = span.getSpanContext().isSampled();
                    }
                    if (tree.rootEnded && tree.open.isEmpty()) {
                        // The last span of the tree leaves with it: it needs no place.
                        tree.closed = true;
                        released = tree.ended.size();
                        flush = new ArrayList<>(tree.ended);
                        flush.add(span);
                        tree.ended.clear();
                        keep = tree.errored || (keepSampledSuccesses && tree.rootSampled);
                    } else if (room) {
                        tree.ended.add(span);
                        held = true;
                    }
                }
            }
        }
        if (room && !held) {
            heldSpans.decrementAndGet();
        }
        if (flush != null) {
            synchronized (openTrees) {
                openTrees.remove(tree);
            }
            heldSpans.addAndGet(-released);
            if (keep) {
                for (ReadableSpan s : flush) {
                    next.onEnd(KeptSpan.of(s));
                }
            }
        } else if (!held) {
            // Not held: its tree was given up, or no place was left. A failed span is what an operator looks for.
            if (failed) {
                next.onEnd(KeptSpan.of(span));
            } else {
                dropped(1);
            }
        }
    }

    /** Takes one place among the held spans, giving up stale trees first when none is left. */
    private boolean reserve() {
        if (heldSpans.incrementAndGet() <= maxHeld) {
            return true;
        }
        heldSpans.decrementAndGet();
        dropStale();
        if (heldSpans.incrementAndGet() <= maxHeld) {
            return true;
        }
        heldSpans.decrementAndGet();
        return false;
    }

    /** Gives up the trees open for {@link #STALE} or longer, oldest first; stops at the first younger one. */
    private void dropStale() {
        long now = nanoTime.getAsLong();
        int given = 0;
        synchronized (openTrees) {
            Iterator<Tree> oldest = openTrees.keySet().iterator();
            while (oldest.hasNext()) {
                Tree tree = oldest.next();
                if (now - tree.since < STALE.toNanos()) {
                    break;
                }
                oldest.remove();
                synchronized (tree) {
                    tree.closed = true;
                    given += tree.ended.size();
                    tree.ended.clear();
                    tree.open.forEach(openSpans::remove);
                    tree.open.clear();
                }
            }
        }
        if (given > 0) {
            heldSpans.addAndGet(-given);
            dropped(given);
        }
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

    private void dropped(long count) {
        drops.record(count, n -> "tracing: " + n + " span(s) were dropped since the last warning while waiting for"
                + " their event to finish (tracing.only_errors holds at most " + maxHeld + " spans); events were"
                + " not affected" + drops.repeats(), null);
    }

    /** Spans dropped because too many were held. */
    long droppedSpans() {
        return drops.total();
    }

    /** Ended spans waiting for their tree now. */
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
        synchronized (openTrees) {
            openTrees.clear();
        }
        openSpans.clear();
        heldSpans.set(0);
        // Drops of the last minute were counted but, rate-limited, not yet logged: nothing later would.
        drops.flush(n -> "tracing: " + n + " span(s) were dropped since the last warning, reported at shutdown, while"
                + " waiting for their event to finish (tracing.only_errors holds at most " + maxHeld + " spans); events"
                + " were not affected");
        return next.shutdown();
    }

    @Override
    public String toString() {
        return "OnlyErrorsProcessor{keepSampledSuccesses=" + keepSampledSuccesses + ", maxHeld=" + maxHeld
                + ", next=" + next + "}";
    }
}
