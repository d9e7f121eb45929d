package io.pgobserver.application;

import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Scope;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleSupplier;

import static io.pgobserver.application.SpanNames.ACTION_COUNT;
import static io.pgobserver.application.SpanNames.CHECKPOINT_OFFSET;
import static io.pgobserver.application.SpanNames.DEDUPLICATED;
import static io.pgobserver.application.SpanNames.ENTITY_ID;
import static io.pgobserver.application.SpanNames.ENTITY_TYPE;
import static io.pgobserver.application.SpanNames.EVENTS_COVERED;
import static io.pgobserver.application.SpanNames.EVENT_ID;
import static io.pgobserver.application.SpanNames.EXECUTE_ACTIONS;
import static io.pgobserver.application.SpanNames.EXPORT_METRICS;
import static io.pgobserver.application.SpanNames.KIND;
import static io.pgobserver.application.SpanNames.LOAD_CHECKPOINT;
import static io.pgobserver.application.SpanNames.OBSERVER;
import static io.pgobserver.application.SpanNames.OUTCOME;
import static io.pgobserver.application.SpanNames.PROCESS_EVENT;
import static io.pgobserver.application.SpanNames.RECOVERED_FROM_CHECKPOINT;
import static io.pgobserver.application.SpanNames.SAVE_CHECKPOINT;

/**
 * Processes one change event end to end and traces it as the span tree of docs/architecture.md: evaluate every
 * candidate observer's condition, run the matching observers' actions with retries, dead-letter what cannot
 * be done, remember deliveries, pass the event to the checkpoint, record metrics.
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
    private final List<Observer> observers;
    private final RunAction runAction;
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
        this.observers = List.copyOf(observers);
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(sleeper, "sleeper");
        this.deadLettering = new DeadLettering(consumer, Objects.requireNonNull(deadLetters, "deadLetters"), metrics,
                Objects.requireNonNull(clock, "clock"), sleeper);
        this.records = new DeliveryRecords(deliveries, sleeper);
        this.conditions = new EvaluateCondition(consumer, records, deadLettering);
        this.actionHealth = new ActionHealth(ActionHealth.FAILING_FOR, System::nanoTime);
        this.executors = Objects.requireNonNull(executors, "executors");
        this.runAction = new RunAction(executors, metrics, sleeper, random, actionHealth);
    }

    public List<Observer> observers() {
        return observers;
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
        Span root = t.startTrace(PROCESS_EVENT, event.traceContext(), SpanKind.CONSUMER);
        String outcome = "unmatched";
        OutcomeLog log = OutcomeLog.start(outcomes);
        try (Scope ignored = root.makeCurrent()) {
            if (root.isRecording()) {
                root.setAttribute(EVENT_ID, event.id())
                        .setAttribute(ENTITY_TYPE, event.entityType())
                        .setAttribute(ENTITY_ID, event.entityId())
                        .setAttribute(KIND, event.kind().wireName())
                        .setAttribute(CHECKPOINT_OFFSET, event.position().offset());
            }
            Span load = t.startSpan(LOAD_CHECKPOINT, root, SpanKind.INTERNAL, Tracer.Component.LISTENER);
            boolean recovered = completion.mayHaveRun();
            if (load.isRecording()) {
                load.setAttribute(RECOVERED_FROM_CHECKPOINT, recovered);
            }
            load.end();

            List<String> delivered = new ArrayList<>();
            Retries retries = new Retries();
            boolean failed = false;
            boolean finished = false;
            try {
                for (Observer observer : observers) {
                    if (!observer.watches(event)) {
                        continue;
                    }
                    Boolean matched = conditions.evaluate(t, root, event, observer, recovered, completion);
                    if (matched == null) {
                        failed = true;
                        continue;
                    }
                    if (matched) {
                        outcome = "matched";
                        failed |= !executeActions(t, root, event, observer, recovered, delivered, completion,
                                retries, log);
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
            if (failed) {
                outcome = "failed";
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
            root.recordError("event not finished: " + e.getMessage(), e);
            throw e;
        } finally {
            root.end();
        }
    }

    /** Runs an observer's actions in order; false when any of them was dead-lettered. */
    private boolean executeActions(Tracer t, Span root, ChangeEvent event, Observer observer, boolean recovered,
                                   List<String> delivered, EventCompletion completion, Retries retries,
                                   OutcomeLog log) throws InterruptedException {
        Span span = t.startSpan(EXECUTE_ACTIONS, root, SpanKind.INTERNAL, Tracer.Component.EXECUTOR);
        if (span.isRecording()) {
            span.setAttribute(OBSERVER, observer.name()).setAttribute(ACTION_COUNT, observer.actions().size());
        }
        boolean allDone = true;
        int skipped = 0;
        try {
            int count = observer.actions().size();
            List<String> ids = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                ids.add(new DeliveryKey(consumer, event.position().offset(), observer.name(),
                        observer.actionKeys().get(i)).id());
            }
            // Only an event dispatched before (ahead of a restart, or by a failed attempt) can have run: asking
            // the store for every event would cost a round trip for nothing. One round trip per observer.
            Set<String> settled = recovered ? records.settled(ids, completion) : Set.of();
            for (int i = 0; i < count; i++) {
                String deliveryId = ids.get(i);
                if (settled.contains(deliveryId)) {
                    skipped++;
                    continue;
                }
                long began = log == null ? 0 : System.nanoTime();
                RunAction.Outcome outcome = runAction.run(t, event, observer, i, deliveryId, span, completion);
                if (log != null) {
                    log.action(observer, i, outcome, System.nanoTime() - began);
                }
                retries.any |= outcome.attempts() > 1;
                if (outcome.succeeded()) {
                    delivered.add(deliveryId);
                } else {
                    allDone = false;
                    ActionResult.Failure failure = (ActionResult.Failure) outcome.result();
                    deadLettering.write(t, span, event, new DeadLettering.Subject(observer.name(), i,
                                    observer.actionKeys().get(i), observer.actions().get(i).type()),
                            failure.message(), outcome.attempts(), completion);
                }
            }
            if (!allDone) {
                span.recordError("some actions of observer '" + observer.name() + "' were dead-lettered", null);
            }
            if (skipped > 0 && span.isRecording()) {
                span.setAttribute(DEDUPLICATED, skipped);
            }
            return allDone;
        } finally {
            span.end();
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

    /** Whether any action of the event took more than one attempt, for the retried-events metric. */
    private static final class Retries {
        boolean any;
    }
}
