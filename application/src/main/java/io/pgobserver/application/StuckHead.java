package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static java.lang.System.Logger.Level.WARNING;

/**
 * When to park the entity that holds the checkpoint back: the oldest unfinished event ({@link Progress#head()}) has
 * held it back by itself for {@code listener.park_after} (running that long, its retries included: not waiting in
 * line for a place, which a slow receiver makes every event do), or it is being retried while the
 * pending events are at their bound, or after the checkpoint has waited park_after on retried events, head after
 * head ({@link WaitOnRetries}). Parking only on demand keeps the common path free of extra writes.
 */
final class StuckHead {

    private static final System.Logger LOG = System.getLogger(StuckHead.class.getName());
    // How often a reader waiting for room checks; and once the stream has waited park_after on retries, when each
    // check parks at most a row per place (the others have yet to fail): 80 rows a second with max_in_flight 8. Not
    // while listener.max_parked is reached: no check can park then, and a receiver down keeps it reached for hours.
    private static final Duration CHECK_EVERY = Duration.ofMillis(100);
    private static final Duration CHECK_EVERY_ON_RETRIES = Duration.ofMillis(10);

    private final String consumer;
    private final Duration parkAfter;
    private final Lanes lanes;
    private final int maxParked;
    private final WaitOnRetries onRetries;
    private boolean onRetriesTooLong; // at the last check
    private final FewLines headLines;
    private final FewLines behindLines;
    private final FewLines fullLines;

    /**
     * @param maxParked how many entities may be parked at once: each costs memory, so past it a stuck entity holds
     *                  the stream back instead, as it did before parking existed
     */
    StuckHead(String consumer, Duration parkAfter, Lanes lanes, int maxParked) {
        this(consumer, parkAfter, lanes, maxParked, LOG, System::nanoTime);
    }

    /** @param logClock the clock of the minutes in which {@code log}'s WARN lines are counted ({@link FewLines}) */
    StuckHead(String consumer, Duration parkAfter, Lanes lanes, int maxParked, System.Logger log,
              LongSupplier logClock) {
        this.consumer = consumer;
        this.parkAfter = parkAfter;
        this.lanes = lanes;
        this.maxParked = maxParked;
        this.onRetries = new WaitOnRetries(parkAfter);
        this.headLines = new FewLines(log, WARNING, 10, "rows parked for holding back the checkpoint", logClock);
        this.behindLines = new FewLines(log, WARNING, 10, "rounds of parking rows retried behind them", logClock);
        this.fullLines = new FewLines(log, WARNING, 1, "checks finding listener.max_parked reached", logClock);
    }

    /** How long a reader waiting for room may wait before it checks again ({@link #parkIfStuck}). */
    Duration checkEvery() {
        // Read now, not at the last check: a parked entity that drains gives the 10 ms checks back at once.
        return onRetriesTooLong && lanes.parked() < maxParked ? CHECK_EVERY_ON_RETRIES : CHECK_EVERY;
    }

    /**
     * Parks the head's lane when it is due; its events then move to a durable queue and the stream goes on. With it
     * go the lanes behind it that are being retried and would be due in their turn: all of them at once when reading
     * waits, or once the checkpoint has waited {@code park_after} on retried events (a receiver down for every row).
     * Each parked one frees its place for the next row, which fails in turn: parked one lane per check, or each after
     * its own park_after, a receiver down for every row held the stream, every other observer's deliveries included,
     * to a few rows a second, and a burst's last max_pending rows took max_pending / max_in_flight times park_after.
     */
    void parkIfStuck(Progress progress) {
        OldestUnfinished head = progress.head();
        Duration retriedFor = onRetries.at(head, System.nanoTime());
        if (head == null) {
            onRetriesTooLong = false;
            return;
        }
        onRetriesTooLong = retriedFor.compareTo(parkAfter) >= 0;
        boolean full = head.retrying() && head.full();
        boolean due = full || head.age().compareTo(parkAfter) >= 0 || head.retrying() && onRetriesTooLong;
        // A head that is not due may wait for a place that retried events behind it hold: once reading waits too,
        // those that have run park_after are parked (not the head: its wait in line is not its doing), or all of them
        // once the stream has waited park_after on retries. At once, they were rows of a receiver that answers too.
        boolean allRetried = full || onRetriesTooLong;
        if (!due && !head.full() && !allRetried) {
            return;
        }
        int room = maxParked - lanes.parked(); // being parked counts: a request in flight may take its timeout
        if (room <= 0) {
            // Not due, the head waits for a place: what holds the stream is the retried events on the places, and
            // the WARN must name them, not the head (nor stay silent while the stream waits for good). Once the
            // minute's WARN is said, a check is only counted: the scan of up to max_pending events that names them
            // is made for a line logged, not every check for as long as the receiver is down. Made in the line, as
            // FewLines decides, the minute turning meanwhile (its end is counted on a thread of its own) cannot give
            // a line that names no entity.
            fullLines.log(() -> {
                List<String> holding = due ? List.of()
                        : progress.retryingBehindHead(allRetried ? Duration.ZERO : parkAfter);
                if (!due && holding.isEmpty()) {
                    return null; // no retried event holds a place: the head waits for its turn only
                }
                boolean one = due || holding.size() == 1;
                String what = due ? "entity " + ParkingLot.readable(head.entity()) + " holds back the checkpoint"
                        : (one ? "entity " : "entities ") + holding.stream().map(ParkingLot::readable)
                        .collect(Collectors.joining(", ")) + ", being retried, "
                        + (one ? "holds a place" : "hold places") + " (listener.max_in_flight) that the oldest event "
                        + "waits for";
                return "consumer '" + consumer + "': " + what + ", and " + (one ? "is" : "are") + " not parked: "
                        + maxParked + " entities are parked (listener.max_parked), so the stream waits until one "
                        + "drains. Each parked entity takes about 420 bytes of heap: raise listener.max_parked "
                        + "(and the heap), or shorten the observers' retry";
            });
            return;
        }
        if (due && lanes.park(head.entity())) {
            room--;
            headLines.log(() -> "consumer '" + consumer + "': entity " + ParkingLot.readable(head.entity())
                    + " holds back the checkpoint (change_log id " + head.changeLogId()
                    + " has run for " + Durations.format(head.age()) + (head.retrying() ? " and is being retried" : "")
                    + (onRetriesTooLong && !full && head.age().compareTo(parkAfter) < 0 ? ", behind others retried for "
                    + Durations.format(retriedFor) : "") + "); parking it, so that the stream goes on without it");
        }
        int parked = 0;
        for (String lane : progress.retryingBehindHead(allRetried ? Duration.ZERO : parkAfter)) {
            if (parked >= room) {
                break;
            }
            if (lanes.park(lane)) {
                parked++;
            }
        }
        if (parked > 0) {
            int more = parked;
            String why = full ? ", as reading waits (listener.max_pending events are pending, or "
                    + "they hold listener.max_pending_bytes)" : onRetriesTooLong ? ", as events being retried have "
                    + "held the checkpoint back for " + Durations.format(retriedFor) + " (listener.park_after)"
                    : " and have run for listener.park_after";
            behindLines.log(() -> "consumer '" + consumer + "': parking " + more + " more entities whose events are "
                    + "being retried behind it" + why);
        }
    }
}
