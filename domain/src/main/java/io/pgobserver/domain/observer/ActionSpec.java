package io.pgobserver.domain.observer;

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
}
