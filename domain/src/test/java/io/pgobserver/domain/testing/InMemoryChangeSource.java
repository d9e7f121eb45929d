package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.ChangeSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The in-memory fake of {@link ChangeSource}: events appended in position order, read after a position. */
public final class InMemoryChangeSource implements ChangeSource {

    private final List<ChangeEvent> events = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private volatile boolean failing;

    public void append(ChangeEvent event) {
        lock.lock();
        try {
            if (!events.isEmpty() && !event.position().isAfter(events.getLast().position())) {
                throw new IllegalArgumentException("events must be appended in position order");
            }
            events.add(event);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** While true, every call fails as an unreachable database would. */
    public void setFailing(boolean failing) {
        this.failing = failing;
    }

    @Override
    public List<ChangeEvent> poll(Position after, int maxEvents, Duration maxWait)
            throws ChangeSourceException, InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            while (true) {
                if (failing) {
                    throw new ChangeSourceException("source unavailable (test)", null);
                }
                List<ChangeEvent> out = new ArrayList<>();
                for (ChangeEvent event : events) {
                    if (event.position().isAfter(after)) {
                        out.add(event);
                        if (out.size() == maxEvents) {
                            break;
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                if (!out.isEmpty() || left <= 0) {
                    return out;
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Lag lag(Position after) throws ChangeSourceException {
        if (failing) {
            throw new ChangeSourceException("source unavailable (test)", null);
        }
        lock.lock();
        try {
            List<ChangeEvent> unread = events.stream().filter(e -> e.position().isAfter(after)).toList();
            return unread.isEmpty() ? Lag.NONE
                    : new Lag(unread.size(), Duration.between(unread.getFirst().occurredAt(), Instant.now()));
        } finally {
            lock.unlock();
        }
    }
}
