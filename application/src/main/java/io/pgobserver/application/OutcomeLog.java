package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.List;

/**
 * What one event's actions did, gathered while {@link ProcessEvent} runs it and handed to {@link EventOutcomes} when
 * it is done. Only made when an outcome listener is installed: without one the hot path allocates nothing for it.
 */
final class OutcomeLog {

    private final EventOutcomes sink;
    private final List<EventOutcomes.ActionOutcome> actions = new ArrayList<>(2);

    private OutcomeLog(EventOutcomes sink) {
        this.sink = sink;
    }

    /** A log for one event, or null when nobody listens. */
    static OutcomeLog start(EventOutcomes sink) {
        return sink == EventOutcomes.NONE ? null : new OutcomeLog(sink);
    }

    /** Observers of one event run side by side: each tells its actions' outcomes from its own thread. */
    synchronized void action(Observer observer, int index, RunAction.Outcome outcome, long durationNanos) {
        actions.add(new EventOutcomes.ActionOutcome(observer.name(), index, observer.actions().get(index).type(),
                outcome.succeeded(), outcome.attempts(), durationNanos, outcome.lastError()));
    }

    synchronized void finish(ChangeEvent event, String outcome, Span root, long startedNanos) {
        sink.finished(new EventOutcomes.EventOutcome(event, outcome, traceId(root, event),
                System.nanoTime() - startedNanos, System.currentTimeMillis(), actions));
    }

    /**
     * The trace the event's spans and its receivers' belong to: its own (a child of the writer's when it had one),
     * sampled or not; else, with tracing off, the writer's, which the receivers continue.
     */
    private static String traceId(Span root, ChangeEvent event) {
        TraceContext own = root.context();
        if (own.isValid()) {
            return own.traceId();
        }
        TraceContext writer = event.traceContext();
        return writer.isValid() ? writer.traceId() : null;
    }
}
