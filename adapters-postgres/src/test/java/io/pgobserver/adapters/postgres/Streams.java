package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads a change source in tests as the pipeline does: batch after batch, page by page. */
final class Streams {

    private final ChangeSource source;
    private Batch batch;
    private long afterId;

    /** A reader whose first batch starts at {@code from}. */
    Streams(ChangeSource source, Snapshot from) {
        this.source = source;
        this.batch = new Batch(0, from, from);
    }

    /**
     * The next page of the current batch; when the batch is exhausted, waits up to {@code maxWait} for a
     * notification and moves on to a batch ending at a new snapshot. Empty when nothing new committed.
     */
    List<ChangeEvent> next(int max, Duration maxWait) throws Exception {
        ChangeSource.Page page = source.read(batch, afterId, max);
        if (page.end() && page.lastId() == afterId) {
            source.awaitChanges(maxWait);
            batch = batch.then(source.snapshot());
            afterId = 0;
            page = source.read(batch, afterId, max);
        }
        afterId = page.lastId();
        return page.events();
    }

    /** Reads until {@code count} events have arrived from the origin, or fails after a generous minute. */
    static List<ChangeEvent> readAtLeast(ChangeSource source, int count) throws Exception {
        Streams reader = new Streams(source, Snapshot.ORIGIN);
        List<ChangeEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (events.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + events.size() + " of " + count + " events arrived: " + events);
            }
            events.addAll(reader.next(500, Duration.ofMillis(500)));
        }
        return events;
    }
}
