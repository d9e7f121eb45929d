package io.pgobserver.application;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * One term as the consumer's active process: claims the consumer's place (fencing out earlier holders),
 * re-reads exactly the batches recorded before a restart, then reads new batches between snapshots and hands
 * their events to the {@link Lanes}, recording each page in the high-water mark before dispatching it.
 *
 * <p>A term ends when it is stopped (in-flight events finish, the checkpoint is saved), or at once when this
 * process may no longer dispatch: the lease on the lock ran out, or another process claimed the consumer. Then
 * running events are interrupted and queued ones dropped, unsaved: the next holder runs them again, consulting
 * delivery records for everything up to the high-water mark. Database faults never end a term by themselves:
 * every call backs off and tries again, and {@link #problem()} says why it waits.
 */
final class Term {

    private static final System.Logger LOG = System.getLogger(Term.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String consumer;
    private final ChangeSource source;
    private final CheckpointStore store;
    private final Metrics metrics;
    private final ListenerSettings settings;
    private final LeaderLease lease;
    private final Lanes lanes;
    private final AtomicLong processed;
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile boolean cancelled;
    private volatile String problem;
    private volatile Progress progress;

    Term(ChangeSource source, CheckpointStore store, Metrics metrics, ListenerSettings settings, LeaderLease lease,
         ProcessEventRunner runner, AtomicLong processed) {
        this.consumer = settings.consumer();
        this.source = source;
        this.store = store;
        this.metrics = metrics;
        this.settings = settings;
        this.lease = lease;
        this.processed = processed;
        this.lanes = new Lanes(settings.maxInFlight(), (event, ticket) -> runner.runUntilDone(event, ticket, this),
                "pgobserver-event-");
    }

    /** Runs one event until it is done, retrying what is not; throws InterruptedException when cancelled. */
    interface ProcessEventRunner {
        void runUntilDone(ChangeEvent event, Progress.Ticket ticket, Term term) throws InterruptedException;
    }

    /** Reads and dispatches until stopped or cancelled; a stop lets in-flight events finish for {@code drain}. */
    void run(Duration drain) throws InterruptedException {
        try {
            CheckpointStore.Resume resume = claim();
            if (resume == null) {
                return;
            }
            Progress current = new Progress(store, resume, settings.checkpointInterval(), settings.maxPending(),
                    System::nanoTime, () -> cancel("another process claimed consumer '" + consumer + "'"));
            progress = current;
            List<Batch> recorded = resume.recorded();
            LOG.log(INFO, "consumer '" + consumer + "' active, resuming at checkpoint " + resume.checkpoint()
                    + (recorded.isEmpty() ? "" : ", re-reading " + recorded.size() + " recorded batch(es) "
                    + recorded.getFirst().seq() + ".." + recorded.getLast().seq() + ", dispatched up to "
                    + resume.dispatched().batch() + "/" + resume.dispatched().id()));
            String broken = brokenChain(resume);
            if (broken != null) {
                LOG.log(System.Logger.Level.ERROR, "consumer '" + consumer + "': the recorded batches do not follow "
                        + "each other (" + broken + "); rows between them would be skipped. Recorded: " + recorded);
            }
            readAndDispatch(resume, current);
        } finally {
            finish(drain);
        }
    }

    /** Where the recorded batches stop following on from the checkpoint and each other, or null. */
    static String brokenChain(CheckpointStore.Resume resume) {
        long seq = resume.checkpoint().batch();
        Snapshot to = resume.done();
        for (Batch batch : resume.recorded()) {
            if (batch.seq() != seq || !batch.from().equals(to)) {
                return "expected batch " + seq + " from " + to + ", found " + batch;
            }
            seq++;
            to = batch.to();
        }
        return null;
    }

    private void readAndDispatch(CheckpointStore.Resume resume, Progress current) throws InterruptedException {
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
        while (active()) {
            Snapshot now = call(source::snapshot);
            if (now == null) {
                return;
            }
            Batch batch = new Batch(next, last, now);
            ChangeSource.Page page = read(batch, 0);
            if (page == null) {
                return;
            }
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
        while (page != null) {
            // Recorded even when every row of the page was unreadable: a batch the checkpoint passes is recorded.
            if (page.lastId() > after && !recorded.covers(batch.seq(), page.lastId())
                    && !record(fence, batch, page.lastId())) {
                return false;
            }
            for (ChangeEvent event : page.events()) {
                current.awaitRoom();
                if (!active()) {
                    return false;
                }
                lanes.submit(event, current.register(batch.seq(), event, this::cancelled));
            }
            // The page's size says nothing: rows that could not be read were left out of it.
            if (page.end()) {
                current.endOfBatch(batch.seq());
                return true;
            }
            after = page.lastId();
            page = read(batch, after);
        }
        return false;
    }

    private boolean record(CheckpointStore.Fence fence, Batch batch, long through) throws InterruptedException {
        for (int failures = 1; active(); failures++) {
            try {
                store.dispatching(fence, batch, through);
                problem = null;
                return true;
            } catch (CheckpointStore.FencedException e) {
                cancel(e.getMessage());
                return false;
            } catch (RuntimeException e) {
                waitAfterFailure("cannot record the dispatch of " + batch + ": " + e.getMessage(), failures);
            }
        }
        return false;
    }

    private CheckpointStore.Resume claim() throws InterruptedException {
        for (int failures = 1; active(); failures++) {
            try {
                CheckpointStore.Resume resume = store.claim(consumer);
                problem = null;
                return resume;
            } catch (RuntimeException e) {
                waitAfterFailure("cannot load the position of consumer '" + consumer + "': " + e.getMessage(),
                        failures);
            }
        }
        return null;
    }

    private ChangeSource.Page read(Batch batch, long afterId) throws InterruptedException {
        return call(() -> source.read(batch, afterId, settings.batchSize()));
    }

    /** A change source call, retried with backoff while the term lasts; null when it ended first. */
    private <T> T call(SourceCall<T> call) throws InterruptedException {
        for (int failures = 1; active(); failures++) {
            try {
                T result = call.call();
                problem = null;
                return result;
            } catch (ChangeSource.ChangeSourceException | RuntimeException e) {
                waitAfterFailure("change source unavailable: " + e.getMessage(), failures);
            }
        }
        return null;
    }

    private interface SourceCall<T> {
        T call() throws ChangeSource.ChangeSourceException;
    }

    /** Nothing new: save what is due, report the lag, and wait for a notification or the poll interval. */
    private void idle(Progress current, Snapshot last) throws InterruptedException {
        saveIfDue(current);
        try {
            ChangeSource.Lag lag = source.lag(last);
            metrics.listenerLag(lag.events(), lag.age().toMillis());
        } catch (ChangeSource.ChangeSourceException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "lag unavailable: " + e.getMessage());
        }
        try {
            source.awaitChanges(settings.pollInterval());
            problem = null; // the listener answered: whatever failed before has recovered
        } catch (ChangeSource.ChangeSourceException e) {
            problem = "change source unavailable: " + e.getMessage();
            pause(settings.pollInterval());
        }
    }

    private static void saveIfDue(Progress current) {
        EventCompletion.CheckpointSave save = current.flush();
        if (save != null) {
            try {
                save.run();
            } catch (RuntimeException e) {
                LOG.log(WARNING, "checkpoint save failed; the next save covers it: " + e.getMessage());
            }
        }
    }

    private void waitAfterFailure(String message, int failures) throws InterruptedException {
        problem = message;
        Duration wait = backoff(failures);
        if (failures == 1 || failures % 10 == 0) {
            LOG.log(WARNING, message + "; retrying in " + wait.toMillis() + " ms (attempt " + failures + ")");
        }
        pause(wait);
    }

    /** Waits, returning early when the term is stopped or cancelled. */
    private void pause(Duration wait) throws InterruptedException {
        if (stopping.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return;
        }
    }

    /** Ends the term: in-flight events finish (up to the drain time) and the checkpoint is saved, or, when
     * cancelled, running events are interrupted and nothing is saved. */
    private void finish(Duration drain) throws InterruptedException {
        Progress current = progress;
        if (!cancelled && !lanes.awaitIdle(drain)) {
            LOG.log(WARNING, "events still running after " + drain.toSeconds()
                    + " s; interrupting them (they run again after the restart)");
            lanes.cancel();
        }
        if (cancelled) {
            lanes.cancel();
            lanes.awaitIdle(Duration.ofSeconds(5));
            return;
        }
        if (current != null) {
            saveIfDue(current);
        }
    }

    /** Stops reading; in-flight events finish. */
    void stop() {
        stopping.countDown();
    }

    /** Ends the term at once: this process may no longer dispatch. */
    void cancel(String why) {
        if (!cancelled) {
            cancelled = true;
            LOG.log(WARNING, "consumer '" + consumer + "': " + why + "; dispatching nothing more, standing by");
        }
        lanes.cancel();
        stopping.countDown();
    }

    /** Whether running events must stop now. */
    boolean cancelled() {
        return cancelled || !lease.valid();
    }

    private boolean active() {
        return stopping.getCount() > 0 && !cancelled();
    }

    String problem() {
        return problem;
    }

    /** Whether the term has claimed the consumer's place and reads. */
    boolean started() {
        return progress != null && !cancelled;
    }

    Checkpoint saved() {
        Progress current = progress;
        return current == null ? null : current.saved();
    }

    void eventProcessed() {
        processed.incrementAndGet();
    }

    static Duration backoff(int failures) {
        long millis = Math.min(MAX_BACKOFF.toMillis(), 100L << Math.min(failures - 1, 16));
        return Duration.ofMillis(millis);
    }
}
