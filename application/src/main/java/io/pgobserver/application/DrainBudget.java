package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the parked entities' drainers may hold of their events at once. A drainer reads the head of its entity's
 * parked queue and keeps it until its turn ends, which may take long (its events retried until the receiver
 * recovers), and up to {@code max_in_flight} drainers run at once: with rows of hundreds of KB, heads of 64 events
 * each would hold far more than the heap. So a drainer reserves room before it reads: as many events as fit at the
 * size of the largest parked event seen lately, at most the head's length; none while the budget is spent, and the
 * drainer tries again shortly. One event always gets room when no drainer holds any, however large.
 */
final class DrainBudget {

    /** Room for a head of {@code events} events, {@code bytes} reserved for it. */
    record Room(int events, long bytes) {
    }

    private final long limit;
    private final AtomicLong held = new AtomicLong();
    /** The largest parked event read lately (decaying by an eighth a head); 0 before the first. */
    private volatile long largest;

    DrainBudget(long limit) {
        this.limit = Math.max(1, limit);
    }

    /** Room for a head of at most {@code max} events, or null when there is none now. */
    Room reserve(int max) {
        while (true) {
            long now = held.get();
            long size = largest;
            int events;
            long bytes;
            if (now == 0) { // nothing held: one event at least, however large
                events = size == 0 ? 1 : (int) Math.clamp(limit / size, 1, max);
                bytes = size == 0 ? limit : events * size; // sizes unknown: the first head is read alone
            } else {
                if (size == 0) {
                    return null;
                }
                events = (int) Math.clamp((limit - now) / size, 0, max);
                if (events == 0) {
                    return null;
                }
                bytes = events * size;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return new Room(events, bytes);
            }
        }
    }

    /** The head read with {@code room}: what it holds replaces the reservation until {@link #release}. */
    long settle(Room room, List<ChangeEvent> head) {
        long bytes = 0;
        long biggest = 0;
        for (ChangeEvent event : head) {
            long size = event.approximateBytes();
            bytes += size;
            biggest = Math.max(biggest, size);
        }
        long lately = largest;
        largest = Math.max(biggest, lately - lately / 8);
        held.addAndGet(bytes - room.bytes());
        return bytes;
    }

    /** A head of {@code bytes} is dropped. */
    void release(long bytes) {
        held.addAndGet(-bytes);
    }

    /** What the drainers' heads hold now. */
    long held() {
        return held.get();
    }
}
