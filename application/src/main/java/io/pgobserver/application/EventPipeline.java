package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.Ordering;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointWords;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.spi.PipelineStatus;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The event pipeline: competes for the consumer's lock, and while it holds it runs a {@link Term} — reading
 * batches in commit order and running each entity's events in order, entities in parallel. When the lock is
 * lost the term ends at once and the process stands by again; database faults never end {@link #run()}.
 *
 * <p>{@link #run()} blocks until {@link #stop(Duration)}. A stop finishes the events running (up to the given time)
 * but starts none and waits for no retry, saves the checkpoint and releases the lock; what it did not finish runs
 * under the consumer's next holder.
 */
public final class EventPipeline implements PipelineStatus {

    private static final System.Logger LOG = System.getLogger(EventPipeline.class.getName());
    /** How many times an event whose processing fails (not its actions) runs before it is dead-lettered. */
    static final int PROCESS_ATTEMPTS = 5;
    /** What a stop gives the end of a term on top of the in-flight events' time: cut events and drainers ending. */
    public static final Duration STOP_MARGIN = Duration.ofSeconds(10);

    private final ChangeSource source;
    private final CheckpointStore checkpoints;
    private final ParkedEvents parked;
    private final Leadership leadership;
    private final ProcessEvent processEvent;
    private final Metrics metrics;
    private final ListenerSettings settings;
    private final Sleeper sleeper;
    private final Duration lease;
    private final AtomicLong processed = new AtomicLong();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    // stop() is called by whoever ends the process (the command, a shutdown hook, the runtime's close), often more
    // than once: the stop is reported once.
    private final AtomicBoolean stopReported = new AtomicBoolean();
    private volatile Duration drain = Duration.ofSeconds(30);
    private volatile Term term;
    private volatile Checkpoint lastSaved;
    // Set when a term ends because the lock was lost; cleared once this process knows its role again (a term of its
    // own running, or a healthy standby). Until then it is not ready: the lock may come back to it any moment.
    private volatile String lostLock;

    public EventPipeline(ChangeSource source, CheckpointStore checkpoints, ParkedEvents parked, Leadership leadership,
                         ProcessEvent processEvent, Metrics metrics, ListenerSettings settings, Sleeper sleeper) {
        this(source, checkpoints, parked, leadership, processEvent, metrics, settings, sleeper, LeaderLease.LEASE);
    }

    /** With a lease of its own: tests shorten it. */
    EventPipeline(ChangeSource source, CheckpointStore checkpoints, ParkedEvents parked, Leadership leadership,
                  ProcessEvent processEvent, Metrics metrics, ListenerSettings settings, Sleeper sleeper,
                  Duration lease) {
        this.lease = Objects.requireNonNull(lease, "lease");
        this.source = Objects.requireNonNull(source, "source");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.parked = Objects.requireNonNull(parked, "parked");
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.processEvent = Objects.requireNonNull(processEvent, "processEvent");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Runs until stopped: stands by while another process leads, leads when it can. */
    public void run() throws InterruptedException {
        try {
            while (!stopping()) {
                if (!leadership.acquire(settings.pollInterval())) {
                    if (leadership.problem() == null) {
                        lostLock = null; // another process leads and the database answers: a healthy standby
                    }
                    continue;
                }
                lead();
            }
        } finally {
            finished.countDown();
        }
    }

    private void lead() throws InterruptedException {
        Term[] self = new Term[1];
        LeaderLease held = new LeaderLease(leadership, lease, System::nanoTime, () -> {
            lostLock = "lost the consumer's lock (its database session ended, or PostgreSQL did not answer for a "
                    + "lease); taking it again";
            self[0].cancel(Term.LOST_LOCK);
        });
        Term current = new Term(source, checkpoints, parked, metrics, settings, held, this::runUntilDone,
                this::laneKey, processEvent::settledBefore, sleeper);
        self[0] = current;
        held.start(settings.consumer());
        try {
            term = current;
            if (stopping()) {
                return; // a stop between acquiring and publishing the term would not reach it
            }
            // The term waits out an earlier holder's lease itself, unless that holder handed over cleanly.
            current.run(drain);
        } finally {
            processEvent.termEnded();
            held.stop();
            lastSaved = current.saved() != null ? current.saved() : lastSaved;
            term = null;
            leadership.release();
        }
    }

    /**
     * Runs one event until it is done. A failed attempt (not a failed action: those are retried inside) runs again
     * after a backoff, consulting delivery records so that no delivered action is repeated; after
     * {@link #PROCESS_ATTEMPTS} failures the event is dead-lettered with the reason, so that a poison event cannot
     * hold its entity for ever. Throws InterruptedException as soon as the event may no longer run: the backoff ends
     * at a stop as an action's does, and the event is left, not done, for the consumer's next holder.
     */
    private void runUntilDone(ChangeEvent event, EventCompletion completion) throws InterruptedException {
        for (int failures = 1; ; failures++) {
            if (completion.cancelled()) {
                throw new InterruptedException("dispatch stopped");
            }
            try {
                processEvent.process(event, completion);
                processed.incrementAndGet();
                return;
            } catch (RuntimeException | StackOverflowError | LinkageError e) {
                completion.attemptFailed();
                String why = e.getClass().getSimpleName() + ": " + e.getMessage();
                if (failures >= PROCESS_ATTEMPTS) {
                    processEvent.giveUp(event, completion, "the event could not be processed (" + failures
                            + " attempts); last failure: " + why, failures);
                    processed.incrementAndGet();
                    return;
                }
                Duration wait = Retry.backoff(failures);
                LOG.log(WARNING, "event " + event.id() + " (change_log id " + event.position().offset()
                        + ") not finished (" + why + "); retrying in " + Durations.format(wait));
                completion.backoff(wait, sleeper); // a stop ends it: the event is left for the next holder
            }
        }
    }

    /**
     * Which lane runs the event: its entity's, where one entity's events run one after another in commit order; or,
     * when every observer that watches it says {@code ordering: none}, a lane of its own, so that nothing waits for
     * it and it waits for nothing (and, stuck, is parked alone).
     */
    private String laneKey(ChangeEvent event) {
        boolean watched = false;
        for (Observer observer : processEvent.observers().of(event)) {
            if (observer.watches(event)) {
                if (observer.ordering() == Ordering.ENTITY) {
                    return event.orderingKey();
                }
                watched = true;
            }
        }
        return watched ? event.orderingKey() + '\u0000' + event.position().offset() : event.orderingKey();
    }

    /**
     * Stops reading, lets the events running finish for up to {@code timeout} (none waits to retry, queued ones are
     * not started), saves the checkpoint and releases the consumer lock. Events still running after the timeout are
     * interrupted; what is not finished is not passed, and the consumer's next holder runs it.
     *
     * @return whether {@link #run()} ended within {@code timeout} and {@link #STOP_MARGIN}; false when a call it
     *         waits in gets no answer and cannot be interrupted (a database that answers nothing at all)
     */
    public boolean stop(Duration timeout) {
        drain = timeout;
        stopRequested.countDown();
        Term current = term;
        if (current != null) {
            current.stop(timeout);
        }
        boolean ended = false;
        try {
            ended = finished.await(timeout.plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                LOG.log(WARNING, "the pipeline did not stop within " + Durations.format(timeout.plus(STOP_MARGIN)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopReported.compareAndSet(false, true)) {
            // Read at 3 a.m.: say what was saved, and never that a stop that gave up has stopped.
            String saved = lastSaved == null ? "no checkpoint saved by this process"
                    : "checkpoint saved: " + CheckpointWords.of(lastSaved);
            LOG.log(INFO, (ended ? "pipeline stopped after " : "pipeline stop gave up after ") + processed.get()
                    + (ended ? " events; " : " events, the pipeline still waiting; ") + saved);
        }
        return ended;
    }

    private boolean stopping() {
        return stopRequested.getCount() == 0;
    }

    /** Events processed since start. */
    @Override
    public long processedCount() {
        return processed.get();
    }

    /**
     * Why the pipeline cannot make progress now (the database is unreachable, or every attempt of one action type has
     * failed for a while: a Kafka cluster down), or null when it can. A standby that waits for the lock is healthy.
     */
    @Override
    public String problem() {
        if (stopping()) {
            return "stopped";
        }
        Term current = term;
        if (current != null && current.started()) {
            lostLock = null;
            String problem = current.problem();
            return problem != null ? problem : processEvent.actionsProblem();
        }
        String problem = current != null ? current.problem() : leadership.problem();
        return problem != null ? problem : lostLock;
    }

    /** Whether this process is the active consumer: it holds the lock, has claimed the place, and dispatches. */
    @Override
    public boolean isActive() {
        Term current = term;
        return current != null && current.started();
    }

    /**
     * {@code active} while this process leads, and also after it lost the lock with its database session (the
     * database stopped answering) until it knows its role again: it leads again, or the database answers and another
     * process holds the lock. During an outage no process can know who will lead next; this says which one did.
     */
    @Override
    public String role() {
        return isActive() || lostLock != null ? "active" : "standby";
    }

    /** The last checkpoint saved by this process, or null before the first. */
    public Checkpoint savedCheckpoint() {
        Term current = term;
        Checkpoint saved = current == null ? null : current.saved();
        return saved != null ? saved : lastSaved;
    }
}
