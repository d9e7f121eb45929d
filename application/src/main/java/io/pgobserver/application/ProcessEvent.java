package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

import static io.pgobserver.application.SpanNames.BACKFILL;
import static io.pgobserver.application.SpanNames.CHECKPOINT_OFFSET;
import static io.pgobserver.application.SpanNames.ENTITY_ID;
import static io.pgobserver.application.SpanNames.ENTITY_TYPE;
import static io.pgobserver.application.SpanNames.EVENTS_COVERED;
import static io.pgobserver.application.SpanNames.EVENT_ID;
import static io.pgobserver.application.SpanNames.EXPORT_METRICS;
import static io.pgobserver.application.SpanNames.KIND;
import static io.pgobserver.application.SpanNames.LOAD_CHECKPOINT;
import static io.pgobserver.application.SpanNames.OUTCOME;
import static io.pgobserver.application.SpanNames.PROCESS_EVENT;
import static io.pgobserver.application.SpanNames.RECOVERED_FROM_CHECKPOINT;
import static io.pgobserver.application.SpanNames.REPLAY;
import static io.pgobserver.application.SpanNames.SAVE_CHECKPOINT;

/**
 * Processes one change event end to end and traces it as the span tree of docs/architecture.md: evaluate every
 * candidate observer's condition, run the matching observers' actions with retries ({@link SideBySide}: observers
 * side by side, each one's actions in order), dead-letter what cannot be done, remember deliveries, pass the event
 * to the checkpoint, record metrics.
 *
 * <p>When this returns normally the event is done: each of its actions ran or is in the dead-letter queue.
 * A dead letter that cannot be written is retried alone, never the actions already delivered. When it throws
 * the event is not done, and the pipeline runs it again: actions recorded as settled are then skipped.
 */
public final class ProcessEvent {

    private static final System.Logger LOG = System.getLogger(ProcessEvent.class.getName());

    /** The dead letter of an event whose processing kept failing is filed under this observer name and action. */
    static final DeadLettering.Subject UNPROCESSABLE = new DeadLettering.Subject("(pipeline)", -1, "process",
            "process");

    private final String consumer;
    private final Tracer tracer;
    private final Tracer untraced;
    private final TracingSettings tracing;
    private final ObserversByEntity observers;
    private final ExecuteActions actions;
    private final Sleeper sleeper;
    private final boolean replay;
    private final ActionHealth actionHealth;
    private final ActionExecutors executors;
    private final DeadLettering deadLettering;
    private final DeliveryRecords records;
    private final EvaluateCondition conditions;
    private final Metrics metrics;
    private final EventOutcomes outcomes;

    /** As below, with nobody told of finished events. */
    public ProcessEvent(String consumer, Tracer tracer, Tracer untraced, TracingSettings tracing, List<Observer> observers,
                        ActionExecutors executors, DeadLetters deadLetters, Deliveries deliveries, Metrics metrics,
                        Sleeper sleeper, DoubleSupplier random, Clock clock) {
        this(consumer, tracer, untraced, tracing, observers, executors, deadLetters, deliveries, metrics,
                EventOutcomes.NONE, sleeper, random, clock);
    }

    /**
     * @param consumer    the consumer name: delivery records and dead letters are the consumer's own
     * @param tracer      the tracer
     * @param untraced    the tracer for events that the tracing filters leave out (a no-op tracer)
     * @param tracing     the tracing settings, for the per-entity and per-kind filters
     * @param observers   every configured observer, conditions compiled
     * @param executors   the action executors
     * @param deadLetters where failed actions go
     * @param deliveries  the delivery log for de-duplication, or null to run every action again on redelivery
     * @param metrics     metrics
     * @param outcomes    told of every finished event ({@link EventOutcomes#NONE}: nobody)
     * @param sleeper     waits between retries
     * @param random      jitter source, uniform in [0, 1); null for a thread-local random
     * @param clock       for dead-letter times
     */
    public ProcessEvent(String consumer, Tracer tracer, Tracer untraced, TracingSettings tracing, List<Observer> observers,
                        ActionExecutors executors, DeadLetters deadLetters, Deliveries deliveries, Metrics metrics,
                        EventOutcomes outcomes, Sleeper sleeper, DoubleSupplier random, Clock clock) {
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.tracer = Objects.requireNonNull(tracer, "tracer");
        this.untraced = Objects.requireNonNull(untraced, "untraced");
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        this.observers = new ObserversByEntity(observers);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.replay = false;
        this.deadLettering = new DeadLettering(consumer, Objects.requireNonNull(deadLetters, "deadLetters"), metrics,
                Objects.requireNonNull(clock, "clock"), sleeper);
        this.records = new DeliveryRecords(deliveries, sleeper);
        this.conditions = new EvaluateCondition(consumer, records, deadLettering);
        this.actionHealth = new ActionHealth(ActionHealth.FAILING_FOR, System::nanoTime);
        this.executors = Objects.requireNonNull(executors, "executors");
        this.actions = new ExecuteActions(consumer, new RunAction(executors, metrics, sleeper, random, actionHealth,
                false, deliveries), records, deadLettering);
    }

    /** {@link #replaying}'s copy: one observer, no delivery records, replay-marked actions, its own action health. */
    private ProcessEvent(ProcessEvent live, Observer observer, EventOutcomes outcomes) {
        this.consumer = live.consumer;
        this.tracer = live.tracer;
        this.untraced = live.untraced;
        this.tracing = live.tracing;
        this.observers = new ObserversByEntity(List.of(observer));
        this.metrics = live.metrics;
        this.sleeper = live.sleeper;
        this.replay = true;
        this.outcomes = outcomes; // the replay's own: it runs in its own process, beside the console's
        this.deadLettering = live.deadLettering.once(); // a replay stops on a letter not stored, not waits
        this.records = new DeliveryRecords(null, sleeper);
        this.conditions = new EvaluateCondition(consumer, records, deadLettering);
        this.actionHealth = new ActionHealth(ActionHealth.FAILING_FOR, System::nanoTime);
        this.executors = live.executors;
        this.actions = new ExecuteActions(consumer, new RunAction(executors, metrics, sleeper, null, actionHealth,
                true, null), records, deadLettering);
    }

    /**
     * The same processing for {@code pg-observer replay}: only {@code observer} runs (its current condition and
     * actions), each root span is a new trace linked to the event's original one and marked {@code replay}, webhooks
     * carry {@code webhook-replay: true}, and no delivery record is written or consulted (the original ones stay as
     * they are; with {@link EventCompletion#NONE} no checkpoint moves). Actions that fail for good are
     * dead-lettered for the consumer, as live ones are, in one attempt: a letter not stored throws (the event is not
     * done) rather than wait for the store with no end. {@code outcomes} is told how each event ended.
     */
    public ProcessEvent replaying(Observer observer, EventOutcomes outcomes) {
        return new ProcessEvent(this, Objects.requireNonNull(observer, "observer"),
                Objects.requireNonNull(outcomes, "outcomes"));
    }

    ObserversByEntity observers() {
        return observers;
    }

    /** What the events of a page read again after a restart had settled before, in one round trip; null: each asks. */
    SettledBefore settledBefore(List<ChangeEvent> events) {
        return actions.settledBefore(events, observers::of);
    }

    /** A term ended: the cut events it did not name one by one are counted now, not when the minute ends. */
    void termEnded() {
        records.countNotAwaited();
    }

    /** Whether each action type still gets through, as seen from here (failed attempts). */
    ActionHealth actionHealth() {
        return actionHealth;
    }

    /**
     * Why actions cannot get through now, for readiness: what an executor knows of its far end (a broker that
     * acknowledges nothing), or every attempt of one type failing for a while; null when they get through.
     */
    String actionsProblem() {
        String problem = executors.problem();
        return problem != null ? problem : actionHealth.problem();
    }

    /**
     * Processes the event.
     *
     * @throws InterruptedException when shutting down mid-event; the event is not done and will be redelivered
     */
    public void process(ChangeEvent event, EventCompletion completion) throws InterruptedException {
        long started = System.nanoTime();
        Tracer t = tracing.traces(event.entityType(), event.kind()) ? tracer : untraced;
        Span root = replay ? t.startLinkedTrace(PROCESS_EVENT, event.traceContext(), SpanKind.CONSUMER)
                : t.startTrace(PROCESS_EVENT, event.traceContext(), SpanKind.CONSUMER);
        String outcome = "unmatched";
        OutcomeLog log = OutcomeLog.start(outcomes);
        try (Scope ignored = root.makeCurrent()) {
            if (root.isRecording()) {
                root.setAttribute(EVENT_ID, event.id())
                        .setAttribute(ENTITY_TYPE, event.entityType())
                        .setAttribute(ENTITY_ID, event.entityId())
                        .setAttribute(KIND, event.kind().wireName())
                        .setAttribute(CHECKPOINT_OFFSET, event.position().offset());
                if (event.backfill() != null) {
                    root.setAttribute(BACKFILL, event.backfill().backfillId());
                }
                if (replay) {
                    root.setAttribute(REPLAY, true);
                }
            }
            Span load = t.startSpan(LOAD_CHECKPOINT, root, SpanKind.INTERNAL, Tracer.Component.LISTENER);
            boolean recovered = completion.mayHaveRun();
            if (load.isRecording()) {
                load.setAttribute(RECOVERED_FROM_CHECKPOINT, recovered);
            }
            load.end();

            // Observers that dead-lettered the event: its root then fails too, so a trace search for errors finds
            // the event by its root, as a failed dlq replay's root is found.
            List<String> failedFor = new ArrayList<>();
            List<Observer> matched = conditions.matching(t, root, event, observers, recovered, completion, failedFor);
            List<String> delivered = matched.size() > 1 ? Collections.synchronizedList(new ArrayList<>()) // side by side
                    : new ArrayList<>();
            ExecuteActions.Retries retries = new ExecuteActions.Retries();
            boolean finished = false;
            try {
                if (!matched.isEmpty()) {
                    outcome = "matched";
                    boolean[] allDone = SideBySide.run(matched.size(), root, i -> actions.run(t, root, event,
                            matched.get(i), recovered, delivered, completion, retries, log));
                    for (int i = 0; i < allDone.length; i++) {
                        if (!allDone[i]) {
                            failedFor.add(matched.get(i).name());
                        }
                    }
                }
                finished = true;
            } finally {
                if (!finished) {
                    // Cut short: a delivered action is a fact, and the next run must skip it. One try.
                    records.rememberOnce(event.position().offset(), delivered, completion);
                }
            }
            records.rememberTraced(t, root, event.position().offset(), delivered, completion);
            if (!failedFor.isEmpty()) {
                outcome = "failed";
                root.recordError("dead-lettered for observer " + String.join(", ", failedFor), null);
            }

            EventCompletion.CheckpointSave save = completion.done();
            if (save != null) {
                Span saveSpan = t.startSpan(SAVE_CHECKPOINT, root, SpanKind.INTERNAL, Tracer.Component.LISTENER);
                if (saveSpan.isRecording()) {
                    saveSpan.setAttribute(CHECKPOINT_OFFSET, save.offset())
                            .setAttribute(EVENTS_COVERED, save.eventsCovered());
                }
                try {
                    save.run();
                    metrics.checkpointSaved();
                } catch (RuntimeException e) {
                    // The events stay done; the next save covers them. A lost save costs redeliveries, no loss.
                    saveSpan.recordError("checkpoint save failed: " + e.getMessage(), e);
                    LOG.log(System.Logger.Level.WARNING, "checkpoint save failed; the next save will cover it: "
                            + e.getMessage());
                } finally {
                    saveSpan.end();
                }
            }

            Span export = t.startSpan(EXPORT_METRICS, root, SpanKind.INTERNAL);
            metrics.eventProcessed(event.entityType(), outcome, System.nanoTime() - started);
            if (retries.any) {
                metrics.eventRetried(event.entityType());
            }
            export.end();
            if (root.isRecording()) {
                root.setAttribute(OUTCOME, outcome);
            }
            if (log != null) {
                log.finish(event, outcome, root, started);
            }
        } catch (InterruptedException | RuntimeException e) {
            UnfinishedEvent.mark(root, e, completion); // parked or stopped: no red root
            throw e;
        } finally {
            root.end();
        }
    }

    /**
     * Dead-letters an event whose processing kept failing (not its actions: those are dead-lettered one by one), so
     * that it holds its entity no longer. Filed under {@link #UNPROCESSABLE} with the reason.
     *
     * @throws InterruptedException when the event may no longer run before the letter was stored
     */
    public void giveUp(ChangeEvent event, EventCompletion completion, String reason, int attempts)
            throws InterruptedException {
        Tracer t = tracing.traces(event.entityType(), event.kind()) ? tracer : untraced;
        Span root = t.startTrace(PROCESS_EVENT, event.traceContext(), SpanKind.CONSUMER);
        try {
            root.recordError(reason, null);
            deadLettering.write(t, root, event, UNPROCESSABLE, reason, attempts, completion);
            EventCompletion.CheckpointSave.runLogged(completion.done());
        } finally {
            root.end();
        }
    }
}
