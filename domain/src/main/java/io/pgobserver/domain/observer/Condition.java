package io.pgobserver.domain.observer;

import io.pgobserver.domain.event.ChangeEvent;

/**
 * A compiled observer condition. Sees {@code event}, {@code before} and {@code after}.
 */
@FunctionalInterface
public interface Condition {

    /** Matches every event of the observer's entity and kinds. */
    Condition ALWAYS = event -> true;

    /**
     * @throws ConditionException when the expression fails on this event (a type mismatch, say); the event is
     *                            then dead-lettered for this observer, never dropped
     */
    boolean matches(ChangeEvent event) throws ConditionException;

    /**
     * A condition that failed on one event. The message says what failed (where in the expression, when known); the
     * caller names the observer and the event, so the message does not.
     */
    final class ConditionException extends Exception {
        private static final long serialVersionUID = 1L;

        public ConditionException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
