package io.pgobserver.adapters.email;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.List;
import java.util.Set;

/**
 * The {@code email} action over SMTP with Jakarta Mail (Eclipse Angus): binds its executor in the set of
 * {@link ActionExecutor}s, owns the {@code email:} section ({@link EmailSection}) and registers the action type
 * ({@link EmailActionType}). A module of its own so that a deployment without email carries no mail library.
 */
public final class EmailModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-email";

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
        return List.of(new EmailSection());
    }

    @Override
    public List<ActionType<?>> actionTypes() {
        return List.of(new EmailActionType());
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), ActionExecutor.class).addBinding().to(EmailExecutor.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmailModule;
    }

    @Override
    public int hashCode() {
        return EmailModule.class.hashCode();
    }
}
