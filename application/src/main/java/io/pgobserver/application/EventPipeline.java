package io.pgobserver.application;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.Metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The event pipeline: reads batches from the change source while this process leads, runs events of one
 * entity one after another in stream order and different entities in parallel on virtual threads (at most
 * {@code max_in_flight} at once), and moves the checkpoint past a contiguous run of finished events.
 *
 * <p>{@link #run()} blocks until {@link #stop(Duration)}. A stop finishes in-flight events (up to the given
 * time), saves the checkpoint and returns; events cut short are not passed and run again after a restart.
 */
public final class EventPipeline {

    private static final System.Logger LOG = System.getLogger(EventPipeline.class.getName());
    private static final Duration MAX_ERROR_BACKOFF = Duration.ofSeconds(30);

    private final ChangeSource source;
    private final CheckpointStore checkpoints;
    private final Leadership leadership;
    private final ProcessEvent processEvent;
    private final Metrics metrics;
    private final ListenerSettings settings;
    private final Sleeper sleeper;

    private final CheckpointTracker tracker;
    private final Semaphore permits;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("pgobserver-event-", 0).factory());
    private final AtomicLong processed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean running = true;
    private volatile String sourceError;
    private volatile boolean active;
    private volatile Thread loopThread;

    public EventPipeline(ChangeSource source, CheckpointStore checkpoints, Leadership leadership,
                         ProcessEvent processEvent, Metrics metrics, ListenerSettings settings, Sleeper sleeper) {
        this.source = Objects.requireNonNull(source, "source");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.processEvent = Objects.requireNonNull(processEvent, "processEvent");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.tracker = new CheckpointTracker(settings.consumer(), checkpoints, settings.checkpointInterval(),
                System::nanoTime);
        this.permits = new Semaphore(settings.maxInFlight());
    }

    /** Events of one entity, waiting their turn. Only touched inside {@code lanes.compute} for its key. */
    private static final class Lane {
        final ArrayDeque<ChangeEvent> queue = new ArrayDeque<>();
    }

    /** Runs until stopped. */
    public void run() throws InterruptedException {
        loopThread = Thread.currentThread();
        int failures = 0;
        try {
            while (running) {
                if (!active) {
                    if (!leadership.acquire(settings.pollInterval())) {
                        continue;
                    }
                    becomeActive();
                }
                Position readFrom = lastRead;
                List<ChangeEvent> batch;
                try {
                    batch = source.poll(readFrom, settings.batchSize(), settings.pollInterval());
                    failures = 0;
                    sourceError = null;
                } catch (ChangeSource.ChangeSourceException e) {
                    failures++;
                    sourceError = e.getMessage();
                    Duration wait = backoff(failures);
                    LOG.log(WARNING, "change source unavailable (" + e.getMessage() + "); retrying in "
                            + wait.toMillis() + " ms");
                    sleeper.sleep(wait);
                    if (!leadership.isHeld()) {
                        stepDown();
                    }
                    continue;
                }
                if (firstBatch && !batch.isEmpty()) {
                    // Events of the first batch after a start may have run before a crash, after the last
                    // checkpoint save: ProcessEvent consults the delivery log for them, and only for them.
                    tracker.recoveredUpTo(batch.getLast().position());
                    firstBatch = false;
                }
                for (ChangeEvent event : batch) {
                    permits.acquire();
                    tracker.register(event);
                    submit(event);
                    lastRead = event.position();
                }
                if (batch.isEmpty()) {
                    saveIfPending();
                    reportLag();
                }
                if (!leadership.isHeld()) {
                    LOG.log(WARNING, "lost the consumer lock for '" + settings.consumer()
                            + "'; finishing in-flight events and standing by");
                    stepDown();
                }
            }
        } catch (InterruptedException e) {
            if (running) {
                throw e;
            }
        } finally {
            loopThread = null;
        }
    }

    private volatile Position lastRead = Position.START;

    private void becomeActive() {
        Position checkpoint = checkpoints.load(settings.consumer()).orElse(Position.START);
        tracker.start(checkpoint, null);
        firstBatch = true;
        lastRead = checkpoint;
        active = true;
        LOG.log(INFO, "consumer '" + settings.consumer() + "' active, resuming after position " + checkpoint);
    }

    private boolean firstBatch;

    private void stepDown() throws InterruptedException {
        drain(Duration.ofDays(1));
        saveIfPending();
        active = false;
        leadership.release();
    }

    private void submit(ChangeEvent event) {
        String key = event.orderingKey();
        lanes.compute(key, (k, lane) -> {
            if (lane == null) {
                Lane fresh = new Lane();
                workers.execute(() -> drainLane(k, fresh, event));
                return fresh;
            }
            lane.queue.addLast(event);
            return lane;
        });
    }

    private void drainLane(String key, Lane lane, ChangeEvent first) {
        ChangeEvent event = first;
        while (event != null) {
            if (!processUntilDone(event)) {
                return; // stopping: the lane's remaining events are not done and will be redelivered
            }
            ChangeEvent[] next = new ChangeEvent[1];
            lanes.compute(key, (k, l) -> {
                next[0] = l.queue.pollFirst();
                return next[0] == null ? null : l;
            });
            event = next[0];
        }
    }

    /** Runs one event until it is done; false when interrupted by a stop. */
    private boolean processUntilDone(ChangeEvent event) {
        int failures = 0;
        try {
            while (true) {
                try {
                    processEvent.process(event, tracker);
                    processed.incrementAndGet();
                    return true;
                } catch (RuntimeException e) {
                    // Not done (the dead-letter store is down, say): try again; the checkpoint waits for it.
                    failures++;
                    Duration wait = backoff(failures);
                    LOG.log(WARNING, "event " + event.id() + " not finished (" + e.getMessage() + "); retrying in "
                            + wait.toMillis() + " ms");
                    sleeper.sleep(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            permits.release();
        }
    }

    private void saveIfPending() {
        EventCompletion.CheckpointSave save = tracker.flush();
        if (save != null) {
            try {
                save.run();
            } catch (RuntimeException e) {
                LOG.log(WARNING, "checkpoint save failed; will retry: " + e.getMessage());
            }
        }
    }

    private void reportLag() {
        try {
            ChangeSource.Lag lag = source.lag(tracker.passed());
            metrics.listenerLag(lag.events(), lag.age().toMillis());
        } catch (ChangeSource.ChangeSourceException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "lag unavailable: " + e.getMessage());
        }
    }

    /** Waits until no event is in flight, up to {@code timeout}; true when all finished. */
    private boolean drain(Duration timeout) throws InterruptedException {
        int all = settings.maxInFlight();
        if (permits.tryAcquire(all, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            permits.release(all);
            return true;
        }
        return false;
    }

    /**
     * Stops reading, lets in-flight events finish for up to {@code timeout}, saves the checkpoint and releases
     * the consumer lock. Events still running after the timeout are interrupted and not passed.
     */
    public void stop(Duration timeout) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        running = false;
        Thread loop = loopThread;
        if (loop != null) {
            loop.interrupt();
        }
        try {
            if (!drain(timeout)) {
                LOG.log(WARNING, "events still running after " + timeout.toSeconds()
                        + " s; interrupting them (they will run again after restart)");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        workers.shutdown();
        saveIfPending();
        if (active) {
            leadership.release();
            active = false;
        }
        LOG.log(INFO, "pipeline stopped after " + processed.get() + " events; checkpoint " + tracker.saved());
    }

    /** Events processed since start. */
    public long processedCount() {
        return processed.get();
    }

    /**
     * Why the pipeline cannot make progress now (the change source is unreachable), or null when it can. A standby
     * that waits for the lock is healthy.
     */
    public String problem() {
        if (!running) {
            return "stopped";
        }
        return active ? sourceError : null;
    }

    /** Whether this process is the active consumer. */
    public boolean isActive() {
        return active;
    }

    /** The last checkpoint saved, or null before the first. */
    public Position savedCheckpoint() {
        return tracker.saved();
    }

    private static Duration backoff(int failures) {
        long millis = Math.min(MAX_ERROR_BACKOFF.toMillis(), 100L << Math.min(failures, 16));
        return Duration.ofMillis(millis);
    }
}
