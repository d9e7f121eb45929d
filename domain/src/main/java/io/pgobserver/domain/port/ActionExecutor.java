package io.pgobserver.domain.port;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.trace.Span;

/**
 * Runs one kind of action. One executor per {@link ActionSpec#type()}.
 *
 * <p>The executor sets its type's attributes on the span it is given and propagates the span's
 * context downstream where the protocol allows ({@code traceparent} on webhooks). It never throws for a
 * failed delivery: it returns a {@link ActionResult.Failure} saying whether a retry could help.
 */
public interface ActionExecutor {

    /** The action type this executor runs. */
    String type();

    /**
     * Checks an action's settings at boot (templates compile, URLs are allowed) so a bad one stops the boot
     * rather than failing every event.
     *
     * @throws IllegalArgumentException naming what is wrong and how to fix it
     */
    default void validate(ActionSpec action) {
    }

    ActionResult execute(ActionRequest request, Span span);

    /**
     * Why this executor's actions cannot get through now (its broker has acknowledged nothing for a while, say), for
     * readiness; null when they can. Called often: it must answer from what the executor already knows.
     */
    default String problem() {
        return null;
    }
}
