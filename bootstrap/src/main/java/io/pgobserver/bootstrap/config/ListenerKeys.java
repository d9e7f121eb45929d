package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.config.ByteSizes;
import io.pgobserver.domain.config.ListenerSettings;

import java.time.Duration;

/** The core's {@code listener:} section. */
final class ListenerKeys {

    private ListenerKeys() {
    }

    /**
     * {@code listener:}, each key read on its own as an observer's retry keys are, so that one start names every bad
     * value of the section; null when one was bad.
     */
    static ListenerSettings read(Node node, ConfigProblems problems) {
        int before = problems.count();
        ListenerSettings d = ListenerSettings.defaults();
        String consumer = problems.read(() -> node.string("consumer", d.consumer()));
        Integer batchSize = problems.read(() -> node.integer("batch_size", d.batchSize(), 1, 100_000));
        Duration poll = problems.read(() -> node.duration("poll_interval", d.pollInterval(),
                ListenerSettings.MIN_POLL_INTERVAL, ListenerSettings.MAX_POLL_INTERVAL, "e.g. 1s"));
        Integer maxInFlight = problems.read(() -> node.integer("max_in_flight", d.maxInFlight(), 1, 100_000));
        int inFlight = maxInFlight == null ? d.maxInFlight() : maxInFlight;
        Integer maxPending = problems.read(() -> node.integer("max_pending", Math.max(d.maxPending(), inFlight), 1,
                10_000_000));
        Duration checkpoint = problems.read(() -> node.duration("checkpoint_interval", d.checkpointInterval(),
                Duration.ZERO, ListenerSettings.MAX_CHECKPOINT_INTERVAL, "e.g. 200ms; 0s saves at every move"));
        // Absent, retention is off: a null read is told from a failed one by the count of problems.
        Duration retention = problems.read(() -> node.duration("retention", null, ListenerSettings.MIN_RETENTION,
                ListenerSettings.MAX_RETENTION, "e.g. 7d, or leave it out to keep rows"));
        Duration parkAfter = problems.read(() -> node.duration("park_after", d.parkAfter(),
                ListenerSettings.MIN_PARK_AFTER, ListenerSettings.MAX_PARK_AFTER, "e.g. 30s"));
        // Absent: a quarter of the heap's worth.
        Integer maxParked = problems.read(() -> node.integer("max_parked", 0, 1, 100_000_000));
        Long maxPendingBytes = problems.read(() -> {
            String maxBytes = node.string("max_pending_bytes", null); // absent: a quarter of the heap
            return maxBytes == null ? 0L : ByteSizes.parse(node.key("max_pending_bytes"), maxBytes);
        });
        Duration captureCheck = problems.read(() -> node.duration("capture_check_interval",
                d.captureCheckInterval()));
        if (problems.count() != before) {
            return null;
        }
        return new ListenerSettings(consumer, batchSize, poll, maxInFlight, maxPending, checkpoint, retention,
                parkAfter, maxParked, maxPendingBytes, captureCheck);
    }
}
