package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs events of one entity one after another, in the order they were submitted, and different entities in
 * parallel on virtual threads, with at most {@code maxInFlight} events submitted and not finished. Submitting
 * waits for a free place, so a slow receiver slows the reader instead of filling memory.
 *
 * <p>{@link #cancel()} interrupts every running event and drops the queued ones: they are not done, and run
 * again under the consumer's next holder.
 */
final class Lanes {

    /** Runs one event to its end; interrupted when the lanes are cancelled. */
    interface Work {
        void run(ChangeEvent event, Progress.Ticket ticket) throws InterruptedException;
    }

    private record Item(ChangeEvent event, Progress.Ticket ticket) {
    }

    /** Events of one entity waiting their turn. Only touched inside {@code lanes.compute} for its key. */
    private static final class Lane {
        final ArrayDeque<Item> queue = new ArrayDeque<>();
    }

    private final int maxInFlight;
    private final Work work;
    private final Semaphore permits;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private final ThreadFactory threads;
    private volatile boolean cancelled;

    Lanes(int maxInFlight, Work work, String threadName) {
        this.maxInFlight = maxInFlight;
        this.work = work;
        this.permits = new Semaphore(maxInFlight);
        this.threads = Thread.ofVirtual().name(threadName, 0).factory();
    }

    /** Hands the event to its entity's lane; waits while {@code maxInFlight} events are in flight. */
    void submit(ChangeEvent event, Progress.Ticket ticket) throws InterruptedException {
        permits.acquire();
        if (cancelled) {
            permits.release();
            return;
        }
        Item item = new Item(event, ticket);
        lanes.compute(event.orderingKey(), (key, lane) -> {
            if (lane == null) {
                Lane fresh = new Lane();
                threads.newThread(() -> drain(key, fresh, item)).start();
                return fresh;
            }
            lane.queue.addLast(item);
            return lane;
        });
    }

    private void drain(String key, Lane lane, Item first) {
        running.add(Thread.currentThread());
        try {
            Item item = first;
            while (item != null) {
                try {
                    if (!cancelled) {
                        work.run(item.event(), item.ticket());
                    }
                } catch (InterruptedException e) {
                    // Cancelled: this event and the rest of the lane are dropped below, not done.
                } finally {
                    permits.release();
                }
                Item[] next = new Item[1];
                lanes.compute(key, (k, l) -> {
                    next[0] = cancelled ? null : l.queue.pollFirst();
                    if (next[0] == null) {
                        permits.release(l.queue.size());
                        l.queue.clear();
                        return null;
                    }
                    return l;
                });
                item = next[0];
                Thread.interrupted(); // an interrupt meant for the event just finished must not hit the next
            }
        } finally {
            running.remove(Thread.currentThread());
        }
    }

    /** Interrupts running events and drops queued ones; nothing more runs. */
    void cancel() {
        cancelled = true;
        for (Thread thread : running) {
            thread.interrupt();
        }
    }

    /** Waits until no event is in flight, up to {@code timeout}; true when all finished. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        if (permits.tryAcquire(maxInFlight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            permits.release(maxInFlight);
            return true;
        }
        return false;
    }

    /** Events submitted and not finished. */
    int inFlight() {
        return maxInFlight - permits.availablePermits();
    }
}
