package io.pgobserver.domain.port;

import io.pgobserver.domain.observer.ActionSpec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What an {@link ActionExecutor} derives once from an action's settings (compiled templates, parsed URLs, signing
 * keys), kept per action. Prepared at boot by {@link ActionExecutor#validate}; an action first seen at run time (a
 * dead-letter replay of an action that was never validated) is prepared on first use. Every executor follows this
 * rule, whichever adapter it lives in, so it lives beside the port.
 *
 * @param <S> the action's spec
 * @param <P> what the executor prepares from it
 */
public final class PreparedActions<S extends ActionSpec, P> {

    private final Class<S> type;
    private final Function<S, P> prepare;
    private final Map<S, P> cache = new ConcurrentHashMap<>();

    public PreparedActions(Class<S> type, Function<S, P> prepare) {
        this.type = type;
        this.prepare = prepare;
    }

    /** @throws IllegalArgumentException when the action is of another type or its settings are unusable */
    public P get(ActionSpec action) {
        if (!type.isInstance(action)) {
            throw new IllegalArgumentException("expected a " + type.getSimpleName() + ", got " + action.type()
                    + " action");
        }
        return cache.computeIfAbsent(type.cast(action), prepare);
    }
}
