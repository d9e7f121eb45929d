package io.pgobserver.domain.config;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code listener:} settings.
 *
 * @param consumer           the consumer name: checkpoints and the single-active lock are per name
 * @param batchSize          events read per batch
 * @param pollInterval       the fallback poll when no notification arrives
 * @param maxInFlight        events being processed at once
 * @param maxPending         events read but not yet passed by the checkpoint (finished ones behind a slow one
 *                           included): when reached, reading waits. Bounds the memory a stuck entity holds
 * @param checkpointInterval how often the checkpoint is saved while events flow (batched saves)
 * @param retention          how long processed change_log rows are kept; null keeps them forever
 * @param parkAfter          how long the checkpoint may wait on one entity's oldest event before that entity is
 *                           parked (its events move to a durable queue of their own and the stream goes on); it is
 *                           parked at once when {@code maxPending} is reached while that event is being retried
 * @param maxParked          how many entities may be parked at once, 0 for as many as a quarter of the heap holds
 *                           ({@link #parkedLimit()}): a parked entity is held in memory (about 420 bytes), and a
 *                           receiver down for every row for hours parks every row written meanwhile
 * @param maxPendingBytes    how much heap the events read and not yet finished may hold, by their row images
 *                           ({@link io.pgobserver.domain.event.ChangeEvent#approximateBytes()}), 0 for a quarter of
 *                           the heap ({@link #pendingBytesLimit()}): when reached, reading waits, as at
 *                           {@code maxPending}; one event is always let through, however large
 * @param captureCheckInterval how often {@code run} checks that the observed tables are still captured as installed
 *                           (one catalog query for all of them): how soon a migration that dropped a capture is logged
 */
public record ListenerSettings(String consumer, int batchSize, Duration pollInterval, int maxInFlight,
                               int maxPending, Duration checkpointInterval, Duration retention, Duration parkAfter,
                               int maxParked, long maxPendingBytes, Duration captureCheckInterval) {

    /**
     * What one parked entity costs in memory, measured (docs/reliability.md): 352 bytes parked, 417 while its event
     * waits off the drain places for its next attempt, which is where a receiver down for good keeps it. Sizes the
     * default of max_parked; at 300, that default took some 35% of the heap where it says a quarter.
     */
    public static final long BYTES_PER_PARKED = 420;

    /** The smallest {@code listener.max_pending_bytes}: below it, a value was likely meant in MiB. */
    public static final long MIN_PENDING_BYTES = 1L << 20;

    /** The default {@code listener.park_after}. */
    public static final Duration PARK_AFTER = Duration.ofSeconds(30);

    /**
     * The default {@code listener.capture_check_interval}: one catalog query for all the observed tables is cheap, and a warning
     * a minute after a schema change is soon enough for most.
     */
    public static final Duration CAPTURE_CHECK_INTERVAL = Duration.ofMinutes(1);

    /** Below it, the checks would be a steady catalog load for no earlier news than the pipeline's own. */
    public static final Duration MIN_CAPTURE_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** Above it, a dropped capture could go unnoticed for more than a day. */
    public static final Duration MAX_CAPTURE_CHECK_INTERVAL = Duration.ofHours(24);

    /** Below it the idle polls are a steady load on the database for nothing: NOTIFY wakes the listener sooner. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(10);
    /** Above it a lost NOTIFY, or a standby's takeover, would wait longer than anyone waits for events. */
    public static final Duration MAX_POLL_INTERVAL = Duration.ofMinutes(10);
    /**
     * Above it {@code status} shows a checkpoint minutes old on a flowing stream and retention cannot delete what it
     * passed. 0s is kept: a save at every move, as the demo does to show every save in its traces.
     */
    public static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofMinutes(1);
    /** Below it rows would be deleted as they are processed, before anyone could replay them. */
    public static final Duration MIN_RETENTION = Duration.ofSeconds(1);
    /** Above ten years, keep rows by leaving retention out: PostgreSQL's timestamps end not far past it. */
    public static final Duration MAX_RETENTION = Duration.ofDays(3650);
    /** Below it an entity would be parked by its first retry's wait, before a receiver's hiccup could pass. */
    public static final Duration MIN_PARK_AFTER = Duration.ofSeconds(1);
    /** Above it one stuck row would hold every other row's checkpoint back for more than a day. */
    public static final Duration MAX_PARK_AFTER = Duration.ofHours(24);

    private static final Pattern CONSUMER = Pattern.compile("[A-Za-z0-9_.\\-]{1,63}");

    public ListenerSettings {
        if (consumer == null || !CONSUMER.matcher(consumer).matches()) {
            throw new IllegalArgumentException("listener.consumer '" + consumer
                    + "' must be 1-63 letters, digits, '_', '-' or '.'");
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("listener.batch_size must be 1-100000, was " + batchSize);
        }
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("listener.poll_interval must be positive");
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("listener.max_in_flight must be at least 1, was " + maxInFlight);
        }
        if (maxPending < maxInFlight) {
            throw new IllegalArgumentException("listener.max_pending must be at least listener.max_in_flight ("
                    + maxInFlight + "), was " + maxPending);
        }
        checkpointInterval = checkpointInterval == null ? Duration.ofMillis(200) : checkpointInterval;
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("listener.retention must be positive, or absent to keep rows");
        }
        parkAfter = parkAfter == null ? PARK_AFTER : parkAfter;
        if (parkAfter.isNegative() || parkAfter.isZero()) {
            throw new IllegalArgumentException("listener.park_after must be positive (e.g. 30s), was "
                    + Durations.format(parkAfter));
        }
        if (maxParked < 0) {
            throw new IllegalArgumentException("listener.max_parked must be at least 1 (or absent for a quarter of "
                    + "the heap), was " + maxParked);
        }
        if (maxPendingBytes != 0 && maxPendingBytes < MIN_PENDING_BYTES) {
            throw new IllegalArgumentException("listener.max_pending_bytes must be at least 1MiB (write the unit: "
                    + "64MiB, 1GiB), or absent for a quarter of the heap; was " + ByteSizes.format(maxPendingBytes));
        }
        captureCheckInterval = captureCheckInterval == null ? CAPTURE_CHECK_INTERVAL : captureCheckInterval;
        Durations.within("listener.capture_check_interval", captureCheckInterval, MIN_CAPTURE_CHECK_INTERVAL,
                MAX_CAPTURE_CHECK_INTERVAL, "e.g. 1m, or 10s to hear sooner of a dropped capture");
        long heap = Runtime.getRuntime().maxMemory();
        if (maxPendingBytes >= heap) {
            throw new IllegalArgumentException("listener.max_pending_bytes (" + ByteSizes.format(maxPendingBytes)
                    + ") is not below this JVM's heap (" + ByteSizes.format(heap) + "): events held up to it would "
                    + "run the observer out of memory. Lower it to a quarter of the heap or less (or leave it out), "
                    + "or raise the heap (-Xmx, JAVA_OPTS)");
        }
    }

    /** Settings with the default {@code capture_check_interval}. */
    public ListenerSettings(String consumer, int batchSize, Duration pollInterval, int maxInFlight, int maxPending,
                            Duration checkpointInterval, Duration retention, Duration parkAfter, int maxParked,
                            long maxPendingBytes) {
        this(consumer, batchSize, pollInterval, maxInFlight, maxPending, checkpointInterval, retention, parkAfter,
                maxParked, maxPendingBytes, null);
    }

    /** Settings with the default {@code max_pending_bytes}. */
    public ListenerSettings(String consumer, int batchSize, Duration pollInterval, int maxInFlight, int maxPending,
                            Duration checkpointInterval, Duration retention, Duration parkAfter, int maxParked) {
        this(consumer, batchSize, pollInterval, maxInFlight, maxPending, checkpointInterval, retention, parkAfter,
                maxParked, 0);
    }

    /** Settings with the default {@code max_parked}. */
    public ListenerSettings(String consumer, int batchSize, Duration pollInterval, int maxInFlight, int maxPending,
                            Duration checkpointInterval, Duration retention, Duration parkAfter) {
        this(consumer, batchSize, pollInterval, maxInFlight, maxPending, checkpointInterval, retention, parkAfter, 0);
    }

    /**
     * How much heap the events read and not yet finished may hold: {@code max_pending_bytes}, or a quarter of this
     * JVM's heap (at least {@link #MIN_PENDING_BYTES}). Together with a page being read ({@link #pageBytes()}), the
     * actions' requests in flight and the rest of the process, that leaves the heap room.
     */
    public long pendingBytesLimit() {
        if (maxPendingBytes > 0) {
            return maxPendingBytes;
        }
        return Math.max(MIN_PENDING_BYTES, Runtime.getRuntime().maxMemory() / 4);
    }

    /**
     * How much one read of the change stream may hold: an eighth of {@link #pendingBytesLimit()}. A page ends at
     * {@code batch_size} events or at this many bytes of them, whichever comes first (one event at least).
     */
    public long pageBytes() {
        return Math.max(1, pendingBytesLimit() / 8);
    }

    /**
     * How many entities may be parked at once: {@code max_parked}, or as many as a quarter of this JVM's heap holds.
     * Past it, a stuck entity is not parked and holds the stream back, as before parking: slower, never out of memory.
     */
    public int parkedLimit() {
        if (maxParked > 0) {
            return maxParked;
        }
        return Math.clamp(Runtime.getRuntime().maxMemory() / 4 / BYTES_PER_PARKED, 1_000, 10_000_000);
    }

    /** Settings with the default {@code park_after}. */
    public ListenerSettings(String consumer, int batchSize, Duration pollInterval, int maxInFlight, int maxPending,
                            Duration checkpointInterval, Duration retention) {
        this(consumer, batchSize, pollInterval, maxInFlight, maxPending, checkpointInterval, retention, PARK_AFTER, 0,
                0);
    }

    public static ListenerSettings defaults() {
        return new ListenerSettings("default", 500, Duration.ofSeconds(1), 256, 10_000, Duration.ofMillis(200), null);
    }
}
