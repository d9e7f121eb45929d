package io.pgobserver.adapters.actions;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.spi.Lifecycle;

import java.util.List;
import java.util.Set;

/**
 * The HTTP action executors: {@code webhook} and {@code slack} over one shared OkHttp client. Binds them in a set
 * of {@link ActionExecutor}, and the HTTP client's shutdown as a {@link Lifecycle}. Owns the {@code actions:}
 * section ({@link ActionsSection}) and registers the two action types ({@link ActionTypes}): the core binds the
 * settings they read. Email is the {@code adapters-email} module's.
 */
public final class ActionsModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-actions";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.ACTIONS);
    }

    @Override
    public List<ConfigSection<?>> sections() {
        return List.of(new ActionsSection());
    }

    @Override
    public List<ActionType<?>> actionTypes() {
        return ActionTypes.all();
    }

    @Override
    protected void configure() {
        Multibinder<ActionExecutor> executors = Multibinder.newSetBinder(binder(), ActionExecutor.class);
        executors.addBinding().to(WebhookExecutor.class);
        executors.addBinding().to(SlackExecutor.class);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(HttpTransport.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ActionsModule;
    }

    @Override
    public int hashCode() {
        return ActionsModule.class.hashCode();
    }
}
