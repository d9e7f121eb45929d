package io.pgobserver.adapters.console;

import io.pgobserver.domain.port.EventOutcomes.EventOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The last finished events, a fixed ring in memory (console.recent_events): newest first when read. */
final class RecentEvents {

    private final EventOutcome[] ring;
    private long written;

    RecentEvents(int size) {
        this.ring = new EventOutcome[size];
    }

    synchronized void add(EventOutcome outcome) {
        ring[(int) (written % ring.length)] = outcome;
        written++;
    }

    /** Up to {@code limit} events that pass {@code filter}, newest first. */
    List<EventOutcome> newest(Predicate<EventOutcome> filter, int limit) {
        EventOutcome[] copy;
        long end;
        synchronized (this) {
            copy = ring.clone();
            end = written;
        }
        List<EventOutcome> out = new ArrayList<>(Math.min(limit, copy.length));
        for (long i = end - 1; i >= Math.max(0, end - copy.length) && out.size() < limit; i--) {
            EventOutcome outcome = copy[(int) (i % copy.length)];
            if (filter.test(outcome)) {
                out.add(outcome);
            }
        }
        return out;
    }

    int capacity() {
        return ring.length;
    }
}
