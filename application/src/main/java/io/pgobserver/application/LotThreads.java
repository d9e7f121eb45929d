package io.pgobserver.application;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The threads at work for a {@link ParkingLot}: its writer, its drainers' waiting room ({@link WaitingRoom}), and the
 * pooled threads while they take a drainer's turn.
 * A stop interrupts the drainers, lets the writer finish for a while, then interrupts it too, and may wait for them
 * to end: until they have, something of the term still runs, and the consumer is not handed over at once.
 */
final class LotThreads {

    /** How often a wait for the writer looks whether the term is over: a lost lock must not wait out a write. */
    private static final Duration LOOK = Duration.ofMillis(50);

    private final Set<Thread> working = ConcurrentHashMap.newKeySet();
    private volatile Thread writer;

    /** Starts the writer on a virtual thread of its own, counted until it ends. */
    void startWriter(Runnable body) {
        Thread thread = counted("pgobserver-park-writer", body);
        writer = thread; // before it starts: a stop's interrupt of the drainers must never reach it
        thread.start();
    }

    /** Starts a thread of the lot's own besides the writer (the drainers' waiting room), counted until it ends. */
    void startHelper(String name, Runnable body) {
        counted(name, body).start();
    }

    private Thread counted(String name, Runnable body) {
        Thread thread = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                body.run();
            } finally {
                working.remove(Thread.currentThread());
            }
        });
        working.add(thread);
        return thread;
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

    /** Interrupts the drainers' turns and lets the writer go on. */
    void interruptDrainers() {
        working.stream().filter(thread -> thread != writer).forEach(Thread::interrupt);
    }

    /**
     * Waits up to {@code timeout} for the writer to end (or none was started), and no longer once {@code giveUp}
     * says so; whether it ended.
     */
    boolean awaitWriter(Duration timeout, BooleanSupplier giveUp) throws InterruptedException {
        Thread thread = writer;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (thread != null && thread.isAlive() && !giveUp.getAsBoolean()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            thread.join(Duration.ofNanos(Math.min(remaining, LOOK.toNanos())));
        }
        return thread == null || !thread.isAlive();
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
