package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;

import java.util.ArrayList;
import java.util.List;

import static io.pgobserver.application.SpanNames.CONDITION_MATCHED;
import static io.pgobserver.application.SpanNames.EVALUATE_CONDITION;
import static io.pgobserver.application.SpanNames.OBSERVER;

/**
 * Evaluates one observer's condition on one event, traced as {@code evaluate_condition}. A condition that fails on
 * the event (a type mismatch, say) is dead-lettered for that observer, once: an event run again after a restart finds
 * the letter's delivery key settled.
 */
final class EvaluateCondition {

    private final String consumer;
    private final DeliveryRecords records;
    private final DeadLettering deadLettering;

    EvaluateCondition(String consumer, DeliveryRecords records, DeadLettering deadLettering) {
        this.consumer = consumer;
        this.records = records;
        this.deadLettering = deadLettering;
    }

    /**
     * The observers that watch the event and whose conditions match it, in the file's order; an observer whose
     * condition failed (the event then went to its dead letters) is added to {@code failedFor} instead. Only the
     * observers of the event's table are asked.
     */
    List<Observer> matching(Tracer t, Span root, ChangeEvent event, ObserversByEntity observers, boolean recovered,
                            EventCompletion completion, List<String> failedFor) throws InterruptedException {
        List<Observer> candidates = observers.of(event);
        List<Observer> matched = new ArrayList<>(candidates.size());
        for (Observer observer : candidates) {
            if (observer.watches(event)) {
                Boolean match = evaluate(t, root, event, observer, recovered, completion);
                if (match == null) {
                    failedFor.add(observer.name());
                } else if (match) {
                    matched.add(observer);
                }
            }
        }
        return matched;
    }

    /** True or false when the condition ran; null when it failed (the event then went to the dead letters). */
    Boolean evaluate(Tracer t, Span root, ChangeEvent event, Observer observer, boolean recovered,
                     EventCompletion completion) throws InterruptedException {
        Span span = t.startSpan(EVALUATE_CONDITION, root, SpanKind.INTERNAL);
        if (span.isRecording()) {
            span.setAttribute(OBSERVER, observer.name());
        }
        try {
            boolean matched = observer.condition().matches(event);
            if (span.isRecording()) {
                span.setAttribute(CONDITION_MATCHED, matched);
            }
            return matched;
        } catch (Condition.ConditionException | RuntimeException e) {
            String message = "condition of observer '" + observer.name() + "' failed on event " + event.id() + ": "
                    + e.getMessage();
            span.recordError(message, e);
            span.setAttribute(CONDITION_MATCHED, false);
            DeliveryKey key = DeliveryKey.of(consumer, event, observer.name(),
                    DeliveryKey.CONDITION);
            if (!(recovered && !records.settled(List.of(key.id()), completion).isEmpty())) {
                deadLettering.write(t, span, event, new DeadLettering.Subject(observer.name(), -1,
                        DeliveryKey.CONDITION, "condition"), message, 1, completion);
            }
            return null;
        } finally {
            span.end();
        }
    }
}
