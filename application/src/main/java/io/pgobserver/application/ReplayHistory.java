package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.DatabaseStoppedAnswering;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.function.Consumer;

/**
 * Runs a stretch of the change stream again for one observer ({@code pg-observer replay}), through the same
 * per-event processing as the live stream ({@link ProcessEvent#replaying}): the observer's current condition and
 * actions, retries and dead letters, one linked trace per event. Events run one at a time in change_log id order,
 * which for each row is the order its writers committed. Nothing of the live stream is touched: no checkpoint, no
 * delivery record, no other observer, no lock; so it is safe beside {@code run}. Pages end at 500 events or
 * at their bytes ({@link ChangeHistory#read}), and each event is let go once processed: the replay holds one page's
 * row images at most, however large the rows. A row that cannot be read as an event is stepped over and named, as the
 * live stream steps over it: one bad row must not leave the rest of the stretch unreplayed.
 */
public final class ReplayHistory {

    private static final int PAGE = 500;

    private final ChangeHistory history;
    private final ProcessEvent processEvent;

    public ReplayHistory(ChangeHistory history, ProcessEvent processEvent) {
        this.history = Objects.requireNonNull(history, "history");
        this.processEvent = Objects.requireNonNull(processEvent, "processEvent");
    }

    /**
     * What a replay did: events of the observer's table in the stretch ({@code read}); how each the observer watched
     * ended: every action delivered, its condition false, or failed (an action dead-lettered after its retries, or
     * its condition failing on the event, which dead-letters it too); and the rows of its table that could not be
     * read as events, stepped over.
     */
    public record Summary(long read, long delivered, long notMatching, long failed, long unreadable) {
        /** The events the observer watched, each run once. */
        public long replayed() {
            return delivered + notMatching + failed;
        }
    }

    /**
     * A stretch as it will be replayed: the one asked for, or its end moved back to the present, with a note that
     * says so and what the summary adds to the end it names.
     *
     * @param stretch the stretch to replay
     * @param note    why its end is not the one asked for; empty when it is
     * @param endNote what the end of a moved stretch is (", when the replay started"); empty when not moved
     */
    public record Plan(ChangeHistory.Stretch stretch, Optional<String> note, String endNote) {
    }

    /**
     * Fixes the stretch to replay against the present, by the database's clock and its newest change_log id (not the
     * host's clock): a replay runs what is recorded and ends, so an end past the present is moved to it, and said. It
     * is fixed once, before the first event, so rows written while the replay runs are not half taken.
     *
     * @throws Refused  when the stretch begins after the present: nothing is recorded there yet
     * @throws CutShort when the database stopped answering: the replay stopped before its first event
     */
    public Plan plan(ChangeHistory.Stretch asked) throws Refused, CutShort {
        ChangeHistory.Present present;
        try {
            present = history.present();
        } catch (DatabaseStoppedAnswering e) {
            throw CutShort.beforeFirstEvent(e, asked);
        }
        String later = " (events written after it are not replayed: a later replay can start there)";
        if (asked.byTime()) {
            Instant now = present.now().truncatedTo(ChronoUnit.MILLIS);
            if (asked.from().isAfter(now)) {
                throw new Refused("--from " + asked.from() + " is in the future (it is now " + now + "): nothing is "
                        + "recorded there yet; give a stretch that has begun");
            }
            return asked.to().isAfter(now)
                    ? new Plan(ChangeHistory.Stretch.between(asked.from(), now), Optional.of("--to " + asked.to()
                    + " is in the future; replaying up to now, " + now + ", the moment the replay started" + later),
                    ", when the replay started")
                    : new Plan(asked, Optional.empty(), "");
        }
        long newest = present.newestId();
        if (newest == 0) {
            throw new Refused("--from-position " + asked.fromId() + ": change_log holds no event (none was written "
                    + "yet, or retention deleted them all), so there is nothing to replay");
        }
        if (asked.fromId() > newest) {
            throw new Refused("--from-position " + asked.fromId() + " is past the newest change_log id (it is "
                    + newest + "): nothing is recorded there yet; give a stretch that has begun");
        }
        return asked.toId() > newest
                ? new Plan(ChangeHistory.Stretch.positions(asked.fromId(), newest), Optional.of("--to-position "
                + asked.toId() + " is past the newest change_log id; replaying up to the newest, " + newest
                + ", when the replay started" + later), ", the newest when the replay started")
                : new Plan(asked, Optional.empty(), "");
    }

    /** A replay that cannot be run as asked; the message says why and what to do instead. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Replays the stretch for the observer. A row that cannot be read as an event does not stop it: it is handed to
     * {@code skipped}, counted, and the replay goes on, as the live stream does (a bad event never stops it). An
     * event whose action fails for good is dead-lettered and counted, and the replay goes on too.
     *
     * @param skipped told of each row that cannot be read as an event, as its page is read
     * @throws Refused  when no observer has that name, or retention already removed part of the stretch
     * @throws CutShort when it stops before the stretch's end: interrupted (a signal), the database lost (also
     *                  when a dead letter cannot be stored: that event is not done), or an event's processing failing
     *                  unexpectedly; it says how far it got. The events before stay replayed
     */
    public Summary replay(String observerName, ChangeHistory.Stretch stretch,
                          Consumer<ChangeHistory.Unreadable> skipped) throws Refused, CutShort {
        Observer observer = requireObserver(observerName);
        long lastId;
        try {
            Optional<String> removed = history.removedPart(stretch);
            if (removed.isPresent()) {
                throw new Refused("cannot replay " + stretch + ": " + removed.get());
            }
            // Known before the first event: a replay by time that is cut short names its rest by ids, which go on
            // from exactly where it stopped, as no time can (rows are read in id order, not in occurred_at order).
            lastId = stretch.byTime() ? history.lastId(stretch, observer.entity()) : stretch.toId();
        } catch (DatabaseStoppedAnswering e) {
            throw CutShort.beforeFirstEvent(e, stretch);
        }
        ReplayEndings endings = new ReplayEndings();
        ProcessEvent replaying = processEvent.replaying(observer, endings);
        Pages pages = new Pages(stretch, observer.entity(), skipped);
        long read = 0;
        long done = stretch.byTime() ? 0 : stretch.fromId() - 1;
        long running = 0;
        try {
            for (Queue<ChangeEvent> page = pages.next(); page != null; page = pages.next()) {
                for (ChangeEvent event = page.poll(); event != null; event = page.poll()) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted between events");
                    }
                    read++;
                    running = event.position().offset();
                    if (observer.watches(event)) {
                        ReplayedEvent.process(replaying, event); // a stop cuts its request in flight
                    }
                    running = 0;
                    done = event.position().offset();
                }
                done = Math.max(done, pages.after); // the page's rows after its last event were unreadable, skipped
            }
        } catch (InterruptedException | RuntimeException e) {
            throw new CutShort(e, endings.summary(read, pages.unreadable), done, lastId, running);
        }
        return endings.summary(read, pages.unreadable);
    }

    /**
     * A replay that stopped before its stretch's end; its message is why. The events up to {@link #lastDone()} ran
     * to their end; the rest of the stretch is {@code lastDone() + 1} to {@link #lastId()}, by change_log id.
     */
    public static final class CutShort extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Summary soFar;
        private final long lastDone;
        private final long lastId;
        private final long running;

        CutShort(Exception cause, Summary soFar, long lastDone, long lastId, long running) {
            super(cause instanceof InterruptedException ? "interrupted"
                    : cause instanceof DatabaseStoppedAnswering ? cause.getMessage()
                    : (running == 0 ? "reading the stretch failed: " : "") + reason(cause), cause);
            this.soFar = soFar;
            this.lastDone = lastDone;
            this.lastId = lastId;
            this.running = running;
        }

        /**
         * The database lost by a check made before the first event (the present, retention's horizon, the last id):
         * nothing ran, and the whole stretch is the rest, named by its times (its last id is not known then).
         */
        static CutShort beforeFirstEvent(DatabaseStoppedAnswering lost, ChangeHistory.Stretch stretch) {
            return new CutShort(lost, new Summary(0, 0, 0, 0, 0), stretch.byTime() ? 0 : stretch.fromId() - 1,
                    stretch.byTime() ? Long.MAX_VALUE : stretch.toId(), 0);
        }

        /** The failure's message, and its first cause's where that says more (a pool's timeout: "Connection refused"). */
        private static String reason(Throwable failure) {
            String top = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return root == failure || root.getMessage() == null || top.contains(root.getMessage()) ? top
                    : top + " (" + root.getMessage() + ")";
        }

        /** What the replay did before it stopped. */
        public Summary soFar() {
            return soFar;
        }

        /** The change_log id of the last row it finished (one before the stretch when none; 0 by time). */
        public long lastDone() {
            return lastDone;
        }

        /**
         * The stretch's last change_log id of the observer's table (0 when it has none; {@link Long#MAX_VALUE} for a
         * stretch by time whose last id was not read yet, when the database was lost before the first event).
         */
        public long lastId() {
            return lastId;
        }

        /**
         * The change_log id of the event it stopped in the middle of, whose actions may have run in part or whole
         * (it runs again with the rest); 0 when it stopped between events.
         */
        public long running() {
            return running;
        }

        /** The database that stopped answering (at a read, or a dead letter's write), which stopped the replay. */
        public Optional<DatabaseStoppedAnswering> lostDatabase() {
            Throwable cause = getCause() instanceof DeadLettering.NotStored notStored ? notStored.getCause()
                    : getCause();
            return cause instanceof DatabaseStoppedAnswering lost ? Optional.of(lost) : Optional.empty();
        }

        /**
         * When the {@link #running()} event stopped the replay because an action of it failed and its dead letter
         * could not be stored: which and why ("its webhook failed for observer items (HTTP 422 …) and its dead
         * letter could not be stored"). That event is not done, and is not counted: it runs again with the rest.
         */
        public Optional<String> deadLetterNotStored() {
            return getCause() instanceof DeadLettering.NotStored notStored ? Optional.of(notStored.getMessage())
                    : Optional.empty();
        }

        /** Stopped by an interrupt (a signal), not by a failure. */
        public boolean interrupted() {
            return getCause() instanceof InterruptedException;
        }
    }

    /** The stretch's pages one after the other, each past the last row of the one before, readable or not. */
    private final class Pages {
        private final ChangeHistory.Stretch stretch;
        private final String entityType;
        private final Consumer<ChangeHistory.Unreadable> skipped;
        private long after;
        private long unreadable;

        Pages(ChangeHistory.Stretch stretch, String entityType, Consumer<ChangeHistory.Unreadable> skipped) {
            this.stretch = stretch;
            this.entityType = entityType;
            this.skipped = Objects.requireNonNull(skipped, "skipped");
        }

        /**
         * The next page's events, to be taken off as processed so that neither a processed event nor the page is
         * held while the page after it is read; null when no row is left.
         */
        Queue<ChangeEvent> next() {
            ChangeHistory.Page page = history.read(stretch, entityType, after, PAGE);
            if (page.isEmpty()) {
                return null;
            }
            after = page.lastId();
            page.unreadable().forEach(row -> {
                unreadable++;
                skipped.accept(row);
            });
            return new ArrayDeque<>(page.events());
        }
    }

    /** The observer by that name; refused when none, also before {@link #plan} notes anything on the stretch. */
    public Observer requireObserver(String name) throws Refused {
        ObserversByEntity observers = processEvent.observers();
        return observers.all().stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new Refused("no observer named '" + name + "' in this configuration ("
                        + observers.nearest(name) + ")"));
    }
}
