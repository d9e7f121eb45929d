package io.pgobserver.domain.observer;

import io.pgobserver.domain.event.ChangeEvent;

import java.util.Set;

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
     * The columns of the row images the expression names ({@code status} for {@code after.status} or
     * {@code has(before.status)}), so that {@code run} can say at the start which of them the observed table has
     * not: a condition on a column a row lacks is false, without an error. Empty when it names none, or the
     * compiler does not say.
     */
    default Set<String> columns() {
        return Set.of();
    }

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
