package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * An action that could not be done: retries ran out, the failure was permanent, or the condition failed on
 * the event. Keeps the event and its trace context, so a replay runs it again and links to the original trace.
 *
 * @param id          the store's id; 0 before it is stored
 * @param event       the event
 * @param observer    the observer's name
 * @param actionIndex the action's index in the observer's list; -1 when the condition failed
 * @param actionType  webhook, slack, email, or {@code condition}
 * @param error       what went wrong, free of secrets
 * @param attempts    how many attempts were made
 * @param failedAt    when it was given up
 */
public record DeadLetter(long id, ChangeEvent event, String observer, int actionIndex, String actionType,
                         String error, int attempts, Instant failedAt) {

    public DeadLetter {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(actionType, "actionType");
        error = error == null ? "" : error;
        Objects.requireNonNull(failedAt, "failedAt");
    }

    public DeadLetter withId(long newId) {
        return new DeadLetter(newId, event, observer, actionIndex, actionType, error, attempts, failedAt);
    }
}
