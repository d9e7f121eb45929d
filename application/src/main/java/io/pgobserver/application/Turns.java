package io.pgobserver.application;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs queued turns in order on at most {@code maxThreads} virtual threads. A thread takes turns until none is left
 * and then leaves, so nothing idle is held, and a burst of turns starts its threads side by side, not one by one.
 *
 * <p>Why not a virtual thread per lane: that cost a thread start and a park on the permits for nearly every event,
 * and up to max_pending parked threads (docs/performance.md, change 8). Why not platform threads: blocking in
 * webhook reads, they halved the drain rate. Why not a {@code ThreadPoolExecutor}: its idle threads wait on a
 * blocking queue that wakes them one at a time.
 */
final class Turns {

    private static final System.Logger LOG = System.getLogger(Turns.class.getName());

    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger threadCount = new AtomicInteger();
    private final int maxThreads;
    private final ThreadFactory threads;

    Turns(int maxThreads, String threadName) {
        this.maxThreads = maxThreads;
        this.threads = Thread.ofVirtual().name(threadName, 0).factory();
    }

    /** Queues the turn behind every turn already waiting; never waits. */
    void queue(Runnable turn) {
        waiting.add(turn);
        if (takeThreadPlace()) {
            threads.newThread(this::takeTurns).start();
        }
    }

    /** A thread's life: turns, in order, until none is left. */
    private void takeTurns() {
        do {
            for (Runnable turn = waiting.poll(); turn != null; turn = waiting.poll()) {
                try {
                    turn.run();
                } catch (Throwable e) {
                    // A turn handles its own work's failures; this is its bookkeeping failing. The turns queued
                    // behind it must still be taken, or they would wait for a thread that never comes.
                    LOG.log(System.Logger.Level.ERROR, "a lane's turn failed; the other lanes go on", e);
                }
            }
            threadCount.decrementAndGet();
            // A turn queued while this thread was leaving may have found every place taken: it is this thread's.
        } while (!waiting.isEmpty() && takeThreadPlace());
    }

    private boolean takeThreadPlace() {
        for (int count = threadCount.get(); count < maxThreads; count = threadCount.get()) {
            if (threadCount.compareAndSet(count, count + 1)) {
                return true;
            }
        }
        return false;
    }
}
