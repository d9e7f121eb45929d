package io.pgobserver.application;

import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Parked entities whose event waits for an action's next attempt, off the drain places ({@link ParkedRun}): an entry
 * each in a queue ordered by when that attempt is due, not a thread each (a receiver down for every row parks every
 * row), and one thread that hands each entity back to the drain turns once its wait is over. What waits here when the
 * term ends is dropped: its events stay parked for the next term.
 */
final class WaitingRoom {

    private record Waiting(String entity, ParkedRun run, long dueNanos) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos - ((Waiting) other).dueNanos, 0); // nanoTime: compared by difference
        }
    }

    private final DelayQueue<Waiting> waiting = new DelayQueue<>();

    /** The entity waits until its run's next attempt is due; never waits itself. */
    void enter(String entity, ParkedRun run) {
        waiting.add(new Waiting(entity, run, run.dueNanos()));
    }

    /** Entities waiting now. */
    int size() {
        return waiting.size();
    }

    /** The thread's life: hands each entity and its run to {@code turn} when due, until interrupted. */
    void handBack(BiConsumer<String, ParkedRun> turn) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Waiting next = waiting.take();
                turn.accept(next.entity(), next.run());
            }
        } catch (InterruptedException e) {
            // The term is over: what waits stays parked for the next term.
        }
    }
}
