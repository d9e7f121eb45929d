package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static io.pgobserver.application.SpanNames.ACTION_COUNT;
import static io.pgobserver.application.SpanNames.DEDUPLICATED;
import static io.pgobserver.application.SpanNames.EXECUTE_ACTIONS;
import static io.pgobserver.application.SpanNames.OBSERVER;

/**
 * Runs one matching observer's actions for one event, in order, traced as {@code execute_actions}: actions already
 * settled (for an event that may have run before) are skipped, the others run with retries, and one that fails for
 * good is dead-lettered. The observers of one event run side by side ({@link SideBySide}): {@code delivered}, the
 * retries and the outcome log may be shared with other threads.
 */
final class ExecuteActions {

    private final String consumer;
    private final RunAction runAction;
    private final DeliveryRecords records;
    private final DeadLettering deadLettering;

    ExecuteActions(String consumer, RunAction runAction, DeliveryRecords records, DeadLettering deadLettering) {
        this.consumer = consumer;
        this.runAction = runAction;
        this.records = records;
        this.deadLettering = deadLettering;
    }

    /**
     * What the events of a page read again after a restart had settled before, in one round trip: every id their runs
     * could ask about (each watching observer's actions, and its condition's dead letter). Null when there is no
     * delivery log or it does not answer; each event then asks for itself.
     */
    SettledBefore settledBefore(List<ChangeEvent> events, Function<ChangeEvent, List<Observer>> candidates) {
        if (!records.enabled()) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        for (ChangeEvent event : events) {
            for (Observer observer : candidates.apply(event)) {
                if (observer.watches(event)) {
                    for (String key : observer.actionKeys()) {
                        ids.add(deliveryId(event, observer, key));
                    }
                    ids.add(deliveryId(event, observer, DeliveryKey.CONDITION));
                }
            }
        }
        return records.settledBefore(ids);
    }

    private String deliveryId(ChangeEvent event, Observer observer, String actionKey) {
        return DeliveryKey.of(consumer, event, observer.name(), actionKey).id();
    }

    /**
     * Whether any action of an event took more than one attempt, for the retried-events metric. Observers running
     * side by side only ever set it, and it is read once they have all ended.
     */
    static final class Retries {
        volatile boolean any;
    }

    /**
     * Runs the observer's actions in order; false when any of them was dead-lettered. {@code log}, when not null,
     * is told each action's outcome (the console's recent events).
     */
    boolean run(Tracer t, Span root, ChangeEvent event, Observer observer, boolean recovered, List<String> delivered,
                EventCompletion completion, Retries retries, OutcomeLog log) throws InterruptedException {
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
                ids.add(deliveryId(event, observer, observer.actionKeys().get(i)));
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
                if (outcome.attempts() > 1) {
                    retries.any = true;
                }
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
}
