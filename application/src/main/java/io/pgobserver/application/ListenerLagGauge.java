package io.pgobserver.application;

import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.Metrics;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Keeps the listener's lag metric current. Measured only when the stream fell idle, it kept the value of the last
 * idle moment through a whole backlog: a listener reading a million rows, or waiting for room behind a slow receiver,
 * reported a lag of 0 all along. So it is measured while the listener is busy too, at most once a poll interval
 * (one cheap query), from the snapshot where the batch being read starts.
 */
final class ListenerLagGauge {

    private static final System.Logger LOG = System.getLogger(ListenerLagGauge.class.getName());

    private final ChangeSource source;
    private final Metrics metrics;
    private final long everyNanos;
    private final LongSupplier nanoTime;
    private boolean measured;
    private long measuredAt;

    ListenerLagGauge(ChangeSource source, Metrics metrics, Duration every, LongSupplier nanoTime) {
        this.source = source;
        this.metrics = metrics;
        this.everyNanos = every.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Measures the rows written after {@code read} (the end of the batches read in full) now. */
    void measure(Snapshot read) {
        measuredAt = nanoTime.getAsLong();
        measured = true;
        try {
            ChangeSource.Lag lag = source.lag(read);
            metrics.listenerLag(lag.events(), lag.age().toMillis());
        } catch (ChangeSource.ChangeSourceException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "lag unavailable: " + e.getMessage());
        }
    }

    /** Measures as {@link #measure} does, unless it did within the last interval: for a listener that is busy. */
    void measureIfDue(Snapshot read) {
        if (!measured || nanoTime.getAsLong() - measuredAt >= everyNanos) {
            measure(read);
        }
    }
}
