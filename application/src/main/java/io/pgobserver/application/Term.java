package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointWords;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.port.ParkedEvents;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * One term as the consumer's active process: claims the consumer's place (fencing out earlier holders), waits out
 * an earlier holder's lease unless it handed over cleanly, lets its {@link BatchReader} read and dispatch, and at
 * the end saves the checkpoint and, when nothing of it runs any more, hands over to the next holder.
 *
 * <p>A term ends when it is stopped (in-flight events finish, the checkpoint is saved), or at once when this
 * process may no longer dispatch: the lease on the lock ran out, or another process claimed the consumer. Then
 * running events are interrupted and queued ones dropped, unsaved: the next holder runs them again, consulting
 * delivery records for everything up to the high-water mark. Database faults never end a term by themselves:
 * every call backs off and tries again, and {@link #problem()} says why it waits.
 */
final class Term implements BatchReader.Control {

    private static final System.Logger LOG = System.getLogger(Term.class.getName());
    private static final Duration ENDING = Duration.ofSeconds(5); // for interrupted events and drainers to end
    static final String LOST_LOCK = "lost the consumer's lock"; // its lock's session died, or its lease ran out

    private final String consumer;
    private final ChangeSource source;
    private final CheckpointStore store;
    private final ParkedEvents parked;
    private final Metrics metrics;
    private final ListenerSettings settings;
    private final LeaderLease lease;
    private final Lanes lanes;
    private final ParkingLot.Runner runner;
    private final Function<ChangeEvent, String> laneKey;
    private final Function<List<ChangeEvent>, SettledBefore> settledBefore;
    private final StuckHead stuck;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean cancelled;
    // Set when the stop's time runs out, before running events are interrupted: an event whose interrupt is spent on
    // the request it cuts still stops at once, and does not wait for its delivery records (the pool's 10 s).
    private volatile boolean timeRanOut;
    private volatile String cancelledBecause;
    private volatile String problem;
    private volatile Progress progress;
    private volatile ParkingLot lot;
    private volatile CheckpointStore.Fence fence;
    // Set once no earlier holder can still be running: handed over at the claim, or its lease waited out. Only then
    // may this term, stopping cleanly, hand over to the next one.
    private volatile boolean clear;
    // The stop's own time for in-flight events: the term began before anyone knew how long a stop may take.
    private volatile Duration stopDrain;
    // Waits between retries end when the term stops, by throwing: a wait that returned early would have its loop try
    // again at once, and a loop that goes on past the stop's start (resume's) would try with no pause at all.
    private final Sleeper pause = wait -> {
        if (stopping.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new InterruptedException("the term is ending");
        }
    };
    // The parking lot's waits go on past the stop's start (its writer finishes then): its own stops end them.
    private final Sleeper lotPause;

    Term(ChangeSource source, CheckpointStore store, ParkedEvents parked, Metrics metrics, ListenerSettings settings,
         LeaderLease lease, ParkingLot.Runner runner, Function<ChangeEvent, String> laneKey,
         Function<List<ChangeEvent>, SettledBefore> settledBefore, Sleeper lotPause) {
        this.consumer = settings.consumer();
        this.source = source;
        this.store = store;
        this.parked = parked;
        this.metrics = metrics;
        this.settings = settings;
        this.lease = lease;
        this.runner = runner;
        this.laneKey = laneKey;
        this.settledBefore = settledBefore;
        this.lotPause = lotPause;
        this.lanes = new Lanes(settings.maxInFlight(), runner::run, "pgobserver-event-");
        this.stuck = new StuckHead(consumer, settings.parkAfter(), lanes, settings.parkedLimit());
    }

    /**
     * Reads and dispatches until stopped or cancelled; a stop lets in-flight events finish for the time it gives,
     * or {@code drain} when it gives none.
     */
    void run(Duration drain) throws InterruptedException {
        try {
            CheckpointStore.Resume resume = claim();
            fence = resume.fence();
            if (!resume.handedOver() && !outlastEarlierHolder()) {
                return;
            }
            clear = true;
            Progress current = new Progress(store, resume, settings.checkpointInterval(), settings.maxPending(),
                    settings.pendingBytesLimit(), System::nanoTime,
                    () -> cancel("another process claimed consumer '" + consumer + "'"));
            progress = current;
            // The drainers' heads may hold a quarter of what the stream's pending events may: a head only saves
            // reads, and the two add up while receivers are down (the stream parks what it reads meanwhile).
            ParkingLot parking = new ParkingLot(parked, resume.fence(), lanes, runner, settings.maxInFlight(),
                    settings.pendingBytesLimit() / 4, lotPause,
                    () -> cancel("another process claimed consumer '" + consumer + "'"), this::cancelled);
            lot = parking;
            metrics.parkedEntities(parking::parkedEntities);
            lanes.parkInto(parking);
            parking.resume(pause);
            RecordedBatches.log(consumer, resume);
            LateCommits.watch(source, metrics, consumer, this::active, pause);
            new BatchReader(source, store, settings, metrics, lanes, laneKey, settledBefore, stuck, pause, this)
                    .readAndDispatch(resume, current);
        } catch (InterruptedException e) {
            if (active()) {
                throw e; // the pipeline's own thread was interrupted
            }
            // Otherwise a wait or a retry ended because the term did: a normal end.
        } finally {
            Duration given = stopDrain;
            finish(given != null ? given : drain);
        }
    }

    /**
     * Waits one lease: an earlier holder that did not release its place (it crashed, or only its lock session died)
     * may be dispatching until its lease runs out. The claim has fenced its writes already. False if the term ended.
     */
    private boolean outlastEarlierHolder() throws InterruptedException {
        LOG.log(INFO, "consumer '" + consumer + "': the previous holder did not release it (killed, cut off, or "
                + "stopped with events still running); waiting " + Durations.format(lease.length()) + " for its lease to "
                + "run out before dispatching");
        return !stopping.await(lease.length().toNanos(), TimeUnit.NANOSECONDS) && active();
    }

    private CheckpointStore.Resume claim() throws InterruptedException {
        return Retry.untilDone("cannot load the position of consumer '" + consumer + "'", () -> store.claim(consumer),
                () -> !active(), pause, now -> problem = now);
    }

    /** Ends the term: in-flight events finish (up to the drain time) and the checkpoint is saved, or, when
     * cancelled (asked at each step, the lease included: the reader may end the term on the lease before its watch
     * cancels it, and a stop under way becomes a cut when the lock goes), running events are cut, nothing saved. */
    private void finish(Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        Progress current = progress;
        if (!cancelled()) {
            lanes.stop(); // running events finish; queued ones and retries are left to the next holder
        }
        boolean idle = !cancelled() && lanes.awaitIdle(drain);
        List<ChangeEvent> cut = idle || cancelled() ? List.of() : lanes.running(); // named below, and at the release
        int failed = lanes.ranUnfinished(); // read before any cut: they count there
        if (!cancelled() && !idle) {
            LOG.log(WARNING, "events still running after " + Durations.format(drain) + " (--shutdown-timeout); "
                    + "interrupting " + CutEvents.named(cut) + ": they are not done, and the consumer's "
                    + "next holder runs them again, skipping actions recorded as delivered");
            timeRanOut = true;
            lanes.cancel();
            // Interrupted, they end at once (a request on the wire is cut): then nothing of the term runs any more,
            // and the next holder need not wait a lease for them.
            idle = lanes.awaitIdle(ENDING);
        }
        ParkingLot parking = lot;
        if (parking != null && !cancelled()) {
            // Events that finished may have handed theirs over: written within the stop's time, they are done and the
            // stop is clean. Not a wait once this process may no longer write (it lost its lock, or was cut off).
            parking.finishWriting(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        stopParking(); // parked queues stay in the store for the next term
        // A drainer may be in the middle of a parked event: not "nothing running" until it has ended.
        boolean drainersIdle = parking == null || parking.awaitStopped(ENDING);
        if (cancelled()) {
            lanes.cancel();
            lanes.awaitIdle(ENDING);
            if (current != null && (current.head() != null || current.flush() != null)) {
                leftUnsaved(current, cancelledBecause != null ? cancelledBecause : LOST_LOCK); // the watch logs why
            }
            return;
        }
        if (current != null) {
            saveLast(current);
        }
        if (clear && !cancelled()) {
            handOver(idle && drainersIdle, CutEvents.stopped(cut.size(), failed, parking == null ? 0
                    : parking.unwritten()));
        }
    }

    /** The term's last save: no later one covers it if it fails. */
    private void saveLast(Progress current) {
        EventCompletion.CheckpointSave save = current.flush();
        try {
            if (save != null) {
                save.run();
            }
        } catch (RuntimeException e) {
            leftUnsaved(current, "its last checkpoint save failed: " + e.getMessage());
        }
    }

    /**
     * Says what the term could not save and who runs it: after a stop or a failover during an outage, operators read
     * here that nothing is lost, only run again.
     */
    private void leftUnsaved(Progress current, String why) {
        LOG.log(WARNING, "consumer '" + consumer + "': the term ended (" + why + "); checkpoint saved: "
                + CheckpointWords.of(current.saved()) + "; the events read after that are not saved as done, and the "
                + "consumer's next holder runs them again, skipping actions recorded as delivered");
    }

    /**
     * When nothing of this term runs any more, the next holder may dispatch at once instead of waiting a lease: says
     * so, or why it will wait. Operators deploying by SIGTERM read here whether the standby resumes at once.
     */
    private void handOver(boolean nothingRuns, String stopped) {
        String wait = "the next holder waits one lease (" + Durations.format(lease.length()) + ") before dispatching";
        if (!nothingRuns) {
            LOG.log(WARNING, "consumer '" + consumer + "': events still running after the stop; " + wait);
            return;
        }
        try {
            store.release(fence);
            LOG.log(INFO, "consumer '" + consumer + "': " + stopped + " and released; the next holder dispatches "
                    + "at once");
        } catch (CheckpointStore.FencedException | RuntimeException e) {
            // Slower to start, as after a crash; nothing else.
            LOG.log(WARNING, "consumer '" + consumer + "': not released (" + e.getMessage() + "); " + wait);
        }
    }

    private void stopParking() {
        ParkingLot parking = lot;
        if (parking != null) {
            parking.stop();
            metrics.parkedEntities(() -> 0); // what stays parked is the next holder's to report
        }
    }

    /** Stops reading; in-flight events get up to {@code drain} to finish. */
    void stop(Duration drain) {
        stopDrain = drain;
        stopping.countDown();
    }

    @Override
    public void cancel(String why) { // ends the term at once: this process may no longer dispatch
        if (!cancelled) {
            cancelledBecause = why;
            cancelled = true;
            LOG.log(WARNING, "consumer '" + consumer + "': " + why + "; dispatching nothing more, standing by");
        }
        lanes.cancel();
        stopParking();
        Progress current = progress;
        if (current != null) {
            current.abort(); // a reader waiting for room must not wait for events that will never finish
        }
        stopping.countDown();
    }

    /** Whether this process may no longer dispatch: cancelled, or its lease ran out. */
    boolean cancelled() {
        return cancelled || !lease.valid();
    }

    @Override
    public boolean eventsCut() {
        return timeRanOut || cancelled();
    }

    @Override
    public boolean active() {
        return stopping.getCount() > 0 && !cancelled();
    }

    @Override
    public void problem(String now) {
        problem = now;
    }

    String problem() { return problem; } // the term's last trouble, for the status

    boolean started() { // whether the term has claimed the consumer's place and reads
        return progress != null && !cancelled;
    }

    Checkpoint saved() { // progress is set once per term and never reset, so the two reads see the same one
        return progress == null ? null : progress.saved();
    }
}
