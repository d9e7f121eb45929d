package io.pgobserver.application;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The threads at work for a {@link ParkingLot}: its writer, and the pooled threads while they take a drainer's turn.
 * A stop interrupts them all and may wait for them to end: until they have, something of the term still runs, and
 * the consumer is not handed over at once.
 */
final class LotThreads {

    private final Set<Thread> working = ConcurrentHashMap.newKeySet();

    /** Starts {@code body} on a virtual thread of its own, counted until it ends. */
    void start(String name, Runnable body) {
        Thread thread = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                working.remove(Thread.currentThread());
            }
        });
        working.add(thread);
        thread.start();
    }

    /** Counts the calling thread until {@link #leave}: a pooled thread taking a turn. */
    void enter() {
        working.add(Thread.currentThread());
    }

    void leave() {
        working.remove(Thread.currentThread());
    }

    void interruptAll() {
        working.forEach(Thread::interrupt);
    }

    /** Waits up to {@code timeout} for every thread counted to end; whether they all did. */
    boolean awaitEnded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Set<Thread> left = Set.copyOf(working); !left.isEmpty(); left = Set.copyOf(working)) {
            for (Thread thread : left) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || !thread.join(Duration.ofNanos(remaining))) {
                    return false;
                }
            }
        }
        return true;
    }
}
