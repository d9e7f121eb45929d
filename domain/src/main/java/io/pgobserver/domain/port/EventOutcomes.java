package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Told of every event the pipeline finished, with what each of its actions did: for an adapter that shows recent
 * events and per-observer figures (the console). Called on the hot path, on the event's own thread, after the
 * event is done: implementations record and return, never block or throw. With none installed the pipeline builds
 * no outcome at all.
 */
public interface EventOutcomes {

    /** Records nothing; the pipeline skips building outcomes for it. */
    EventOutcomes NONE = outcome -> {
    };

    void finished(EventOutcome outcome);

    /** All of {@code listeners}, or {@link #NONE} when there are none. */
    static EventOutcomes of(Set<EventOutcomes> listeners) {
        List<EventOutcomes> all = List.copyOf(listeners);
        if (all.isEmpty()) {
            return NONE;
        }
        if (all.size() == 1) {
            return all.getFirst();
        }
        return outcome -> all.forEach(listener -> listener.finished(outcome));
    }

    /**
     * One finished event.
     *
     * @param event         the event
     * @param outcome       {@code matched}, {@code unmatched} or {@code failed} (as the {@code process_event} span)
     * @param traceId       the trace the event ran in (its own, or the writer's when tracing is off), or null
     * @param durationNanos how long it took
     * @param finishedAtMillis when it finished, epoch milliseconds
     * @param actions       what each action that ran did, in order
     */
    record EventOutcome(ChangeEvent event, String outcome, String traceId, long durationNanos, long finishedAtMillis,
                        List<ActionOutcome> actions) {
        public EventOutcome {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(outcome, "outcome");
            actions = List.copyOf(actions);
        }
    }

    /**
     * One action of one observer for one event.
     *
     * @param observer      the observer
     * @param actionIndex   its place in the observer's list
     * @param actionType    webhook, slack, email, kafka, ...
     * @param delivered     true when it succeeded; false when it was dead-lettered
     * @param attempts      attempts made
     * @param durationNanos time from the first attempt to the last one's end, waits between attempts included
     * @param lastError     the last failed attempt's message (secret-free), or null when none failed
     */
    record ActionOutcome(String observer, int actionIndex, String actionType, boolean delivered, int attempts,
                         long durationNanos, String lastError) {
        public ActionOutcome {
            Objects.requireNonNull(observer, "observer");
            Objects.requireNonNull(actionType, "actionType");
        }
    }
}
