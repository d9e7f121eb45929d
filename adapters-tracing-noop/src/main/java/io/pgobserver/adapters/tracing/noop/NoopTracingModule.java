package io.pgobserver.adapters.tracing.noop;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;

import java.util.Set;

/**
 * Tracing switched off: binds the domain's one no-op {@link Tracer} ({@link Tracer#noop()}) and {@link Metrics#NOOP}. The bootstrap installs it when
 * tracing is disabled or no other tracing adapter is on the class path.
 */
public final class NoopTracingModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-tracing-noop";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.TRACING);
    }

    @Override
    protected void configure() {
        bind(Tracer.class).toInstance(Tracer.noop());
        bind(Metrics.class).toInstance(Metrics.NOOP);
        // Declares the set so an injector with only this module still has one.
        Multibinder.newSetBinder(binder(), Lifecycle.class);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NoopTracingModule;
    }

    @Override
    public int hashCode() {
        return NoopTracingModule.class.hashCode();
    }
}
