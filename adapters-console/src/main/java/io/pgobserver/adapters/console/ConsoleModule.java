package io.pgobserver.adapters.console;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.List;
import java.util.Set;

/**
 * The operator console: pages on the admin port under {@code /console} ({@link ConsoleRoute}) fed by the
 * pipeline's finished events ({@link Recorder}) and the same ports as {@code status} and {@code dlq}; owns the
 * {@code console:} section ({@link ConsoleSection}). Deleting its folder removes the console.
 */
public final class ConsoleModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-console";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.PAGES);
    }

    @Override
    public List<ConfigSection<?>> sections() {
        return List.of(new ConsoleSection());
    }

    @Override
    protected void configure() {
        Multibinder.newSetBinder(binder(), EventOutcomes.class).addBinding().to(Recorder.class);
        Multibinder.newSetBinder(binder(), AdminRoute.class).addBinding().to(ConsoleRoute.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ConsoleModule;
    }

    @Override
    public int hashCode() {
        return ConsoleModule.class.hashCode();
    }
}
