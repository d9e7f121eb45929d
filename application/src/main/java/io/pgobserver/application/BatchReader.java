package io.pgobserver.application;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The reading half of a {@link Term}: re-reads the batches recorded before a restart, then reads new batches between
 * snapshots, records each page in the high-water mark before it dispatches it, and hands its events to the
 * {@link Lanes}, waiting for room among the pending events. Every call to the database is retried while the term
 * lasts; the term says when it is over ({@link Control}).
 */
final class BatchReader {

    private static final System.Logger LOG = System.getLogger(BatchReader.class.getName());

    /** What the reader needs of its term. */
    interface Control {
        /** Whether reading may go on: the term is neither stopped nor cancelled. */
        boolean active();

        /**
         * Whether running events must stop now, waiting for nothing more: this process may no longer dispatch, or a
         * stop's time ran out and cut them.
         */
        boolean eventsCut();

        /** Ends the term at once: this process may no longer dispatch. */
        void cancel(String why);

        /** Why the term waits now, or null when it no longer does. */
        void problem(String now);
    }

    private final ChangeSource source;
    private final CheckpointStore store;
    private final ListenerSettings settings;
    private final Lanes lanes;
    private final Function<ChangeEvent, String> laneKey;
    private final Function<List<ChangeEvent>, SettledBefore> settledBefore;
    private final StuckHead stuck;
    private final Sleeper pause;
    private final Control control;
    private final ListenerLagGauge lag;

    BatchReader(ChangeSource source, CheckpointStore store, ListenerSettings settings, Metrics metrics, Lanes lanes,
                Function<ChangeEvent, String> laneKey, Function<List<ChangeEvent>, SettledBefore> settledBefore,
                StuckHead stuck, Sleeper pause, Control control) {
        this.source = source;
        this.store = store;
        this.settings = settings;
        this.lanes = lanes;
        this.laneKey = laneKey;
        this.settledBefore = settledBefore;
        this.stuck = stuck;
        this.pause = pause;
        this.control = control;
        this.lag = new ListenerLagGauge(source, metrics, settings.pollInterval(), System::nanoTime);
    }

    /** Reads and dispatches from where {@code resume} says, until the term is over. */
    void readAndDispatch(CheckpointStore.Resume resume, Progress current) throws InterruptedException {
        Snapshot last = resume.done();
        long next = resume.checkpoint().batch();
        for (Batch batch : resume.recorded()) {
            long after = batch.seq() == resume.checkpoint().batch() ? resume.checkpoint().afterId() : 0;
            if (!dispatchBatch(batch, after, null, resume.fence(), resume.dispatched(), current)) {
                return;
            }
            last = batch.to();
            next = batch.seq() + 1;
        }
        while (control.active()) {
            Snapshot now = fromSource("cannot take a snapshot", source::snapshot);
            Batch batch = new Batch(next, last, now);
            ChangeSource.Page page = read(batch, 0);
            if (page.end() && page.lastId() == 0) {
                // An empty batch needs no record: the next one starts from the same snapshot.
                idle(current, last);
                continue;
            }
            if (!dispatchBatch(batch, 0, page, resume.fence(), CheckpointStore.HighWater.NONE, current)) {
                return;
            }
            last = now;
            next++;
        }
    }

    /**
     * Dispatches a batch from {@code afterId} on, page by page; pages beyond the high-water mark are recorded
     * before their events are handed over. False when the term ended half-way.
     */
    private boolean dispatchBatch(Batch batch, long afterId, ChangeSource.Page firstPage,
                                  CheckpointStore.Fence fence, CheckpointStore.HighWater recorded, Progress current)
            throws InterruptedException {
        ChangeSource.Page page = firstPage != null ? firstPage : read(batch, afterId);
        long after = afterId;
        while (true) {
            // Recorded even when every row of the page was unreadable: a batch the checkpoint passes is recorded.
            if (page.lastId() > after && !recorded.covers(batch.seq(), page.lastId())
                    && !record(fence, batch, page.lastId())) {
                return false;
            }
            SettledBefore before = readAgain(batch, page, recorded);
            lag.measureIfDue(batch.from());
            for (ChangeEvent event : page.events()) {
                if (!awaitRoom(current, batch)) {
                    return false;
                }
                String lane = laneKey.apply(event);
                lanes.submit(lane, event, current.register(batch.seq(), event, lane, control::eventsCut, before));
            }
            if (!page.events().isEmpty()) {
                stuck.parkIfStuck(current);
            }
            // The page's size says nothing: rows that could not be read were left out of it.
            if (page.end()) {
                current.endOfBatch(batch.seq());
                return true;
            }
            after = page.lastId();
            page = read(batch, after);
        }
    }

    /** What the page's events that may have run before this term had settled; null when none may have. */
    private SettledBefore readAgain(Batch batch, ChangeSource.Page page, CheckpointStore.HighWater recorded) {
        List<ChangeEvent> again = new ArrayList<>();
        for (ChangeEvent event : page.events()) {
            if (recorded.covers(batch.seq(), event.position().offset())) {
                again.add(event);
            }
        }
        return again.isEmpty() ? null : settledBefore.apply(again);
    }

    /** Waits for room among the pending events, parking the entity that holds the checkpoint back when it must. */
    private boolean awaitRoom(Progress current, Batch batch) throws InterruptedException {
        while (control.active()) {
            if (current.awaitRoom(stuck.checkEvery())) {
                return true;
            }
            stuck.parkIfStuck(current);
            lag.measureIfDue(batch.from());
        }
        return false;
    }

    private boolean record(CheckpointStore.Fence fence, Batch batch, long through) throws InterruptedException {
        try {
            Retry.untilDone("cannot record the dispatch of " + batch, () -> {
                try {
                    store.dispatching(fence, batch, through);
                    return null;
                } catch (CheckpointStore.FencedException e) {
                    throw new Retry.GiveUp(e.getMessage(), e);
                }
            }, () -> !control.active(), pause, control::problem);
            return true;
        } catch (Retry.GiveUp e) {
            control.cancel(e.getMessage());
            return false;
        }
    }

    private ChangeSource.Page read(Batch batch, long afterId) throws InterruptedException {
        return fromSource("cannot read " + batch, () -> source.read(batch, afterId, settings.batchSize()));
    }

    /** A change source call, retried with backoff while the term lasts. */
    private <T> T fromSource(String what, SourceCall<T> call) throws InterruptedException {
        return Retry.untilDone("change source unavailable (" + what + ")", () -> {
            try {
                return call.call();
            } catch (ChangeSource.ChangeSourceException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, () -> !control.active(), pause, control::problem);
    }

    private interface SourceCall<T> {
        T call() throws ChangeSource.ChangeSourceException;
    }

    /** Nothing new: save what is due, report the lag, and wait for a notification or the poll interval. */
    private void idle(Progress current, Snapshot last) throws InterruptedException {
        EventCompletion.CheckpointSave.runLogged(current.flush());
        stuck.parkIfStuck(current);
        lag.measure(last);
        try {
            source.awaitChanges(settings.pollInterval());
            control.problem(null); // the listener answered: whatever failed before has recovered
        } catch (ChangeSource.ChangeSourceException e) {
            control.problem("change source unavailable: " + e.getMessage());
            pause.sleep(settings.pollInterval());
        }
    }
}
