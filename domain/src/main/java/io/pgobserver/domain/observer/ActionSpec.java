package io.pgobserver.domain.observer;

import java.util.Set;

/**
 * What to do when an observer's condition matches. Open to every adapter: an adapter registers its action types
 * (an {@link io.pgobserver.domain.spi.ActionType} reads the spec from the configuration) and runs them with its
 * own {@link io.pgobserver.domain.port.ActionExecutor}.
 */
public interface ActionSpec {

    /** The action type, such as {@code webhook}. Also the span's {@code action_type}. */
    String type();

    /** A short description for logs and errors, free of secrets. */
    String describe();

    /**
     * The columns of the row images the action's templates name ({@code status} for {@code {{after.status}}}), so
     * that {@code run} can say at the start which of them the observed table has not: a misspelt name renders as
     * nothing, without an error. Empty when the action names none, or its type does not say.
     */
    default Set<String> columns() {
        return Set.of();
    }
}
