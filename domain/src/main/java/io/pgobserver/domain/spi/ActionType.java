package io.pgobserver.domain.spi;

import io.pgobserver.domain.observer.ActionSpec;

import java.util.Map;
import java.util.Set;

/**
 * An action type ({@code type: webhook}) registered by the adapter that runs it, in {@link Adapter#actionTypes()}.
 * The core reads an action's {@code type} (and its own action-level keys); this reads the rest of the action's
 * mapping into the spec the adapter's {@code ActionExecutor} runs.
 *
 * @param <T> the action's spec
 */
public interface ActionType<T extends ActionSpec> {

    /** The value of {@code type:}, such as {@code webhook}; also {@link ActionSpec#type()} of what it reads. */
    String name();

    /** The spec type, to render it again for {@code check-config}. */
    Class<T> specType();

    /**
     * Reads one action's settings. Do not call {@link ConfigReader#finish()}: the core does, after reading its
     * own keys, so an unknown key is rejected naming its path whichever side owns it.
     */
    T read(ConfigReader action);

    /** The action's settings as {@code check-config} prints them, secrets masked (without {@code type}). */
    Map<String, Object> render(T spec);

    /**
     * The keys of this type's actions that hold secrets (a signing secret, a token, header values that carry API
     * keys), which the core leaves out of an action's stable key: rotating one must not make the action pass for
     * another, whose delivery records and {@code webhook-id}s differ. None of them may say where the action goes.
     * Credentials inside a URL (user info, {@code ?token=}) are left out by the core whatever the key.
     */
    default Set<String> secretKeys() {
        return Set.of();
    }
}
