package io.pgobserver.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;

import java.util.Set;

/**
 * Installed when telemetry is off and the no-op tracing adapter's folder was deleted: the domain's own no-op
 * tracer and metrics, which the adapter would bind too. The adapter stays the one chosen when it is there.
 */
final class NoTelemetry extends AbstractModule implements Adapter {

    static final String NAME = "none (the domain's no-op tracer; " + AdapterCatalog.NOOP + " not installed)";

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
        // Declares the set so an injector without any adapter's lifecycle still has one.
        Multibinder.newSetBinder(binder(), Lifecycle.class);
    }
}
