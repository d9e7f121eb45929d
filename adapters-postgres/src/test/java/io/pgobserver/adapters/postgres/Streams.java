package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.ChangeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Helpers for reading a change source in tests. */
final class Streams {

    private Streams() {
    }

    /** Polls until {@code count} events have arrived after {@code from}, or fails after a generous minute. */
    static List<ChangeEvent> readAtLeast(ChangeSource source, Position from, int count) throws Exception {
        List<ChangeEvent> events = new ArrayList<>();
        Position position = from;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + events.size() + " of " + count + " events arrived: " + events);
            }
            List<ChangeEvent> batch = source.poll(position, 500, Duration.ofMillis(500));
            if (!batch.isEmpty()) {
                events.addAll(batch);
                position = batch.get(batch.size() - 1).position();
            }
        }
        return events;
    }
}
