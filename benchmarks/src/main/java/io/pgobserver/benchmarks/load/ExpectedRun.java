package io.pgobserver.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One run's deliveries as the {@link ReceiverProcess} counts them: events with ids 1..events, each expected once per
 * action; the first arrival per event, and which (event, action) pairs came at all. Safe for webhooks arriving on
 * many threads at once.
 */
final class ExpectedRun {

    private final int events;
    private final int actions;
    private final AtomicLongArray firstArrival;
    private final AtomicLongArray seen;
    private final AtomicInteger delivered = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicLong lastArrival = new AtomicLong();
    /** Completed by the webhook that completes the run. */
    private final CompletableFuture<Void> allDelivered = new CompletableFuture<>();

    ExpectedRun(int events, int actions) {
        this.events = events;
        this.actions = actions;
        this.firstArrival = new AtomicLongArray(events + 1);
        this.seen = new AtomicLongArray(events * actions + 1);
        if (events == 0) {
            allDelivered.complete(null);
        }
    }

    /** Notes a webhook for the event's id and action index; false (and nothing noted) when the run expects neither. */
    boolean note(int id, int action, long arrivedNanos) {
        if (id < 1 || id > events || action < 0 || action >= actions) {
            return false;
        }
        // Noted before the count, so whoever sees the run complete also sees its last arrival.
        firstArrival.compareAndSet(id, 0, arrivedNanos);
        lastArrival.accumulateAndGet(arrivedNanos, Math::max);
        if (seen.compareAndSet((id - 1) * actions + action, 0, 1)) {
            if (delivered.incrementAndGet() == events * actions) {
                allDelivered.complete(null);
            }
        } else {
            duplicates.incrementAndGet();
        }
        return true;
    }

    /** Waits until every expected webhook has arrived, or for {@code timeoutMillis}, whichever is first. */
    void await(long timeoutMillis) throws InterruptedException {
        try {
            allDelivered.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Not yet: the caller reports how far it got.
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    int delivered() {
        return delivered.get();
    }

    int duplicates() {
        return duplicates.get();
    }

    long lastArrivalNanos() {
        return lastArrival.get();
    }

    /** events + 1 big-endian longs: each id's first arrival (index 0 unused; 0 where none came). */
    byte[] arrivals() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((events + 1) * Long.BYTES);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int id = 0; id <= events; id++) {
                out.writeLong(firstArrival.get(id));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen writing to memory", e);
        }
        return bytes.toByteArray();
    }
}
