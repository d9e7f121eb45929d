package io.pgobserver.adapters.tracing.otel;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * Tracing and metrics on OpenTelemetry: binds {@link Tracer}, {@link Metrics} and the {@link Lifecycle} that
 * opens the Prometheus port and flushes spans at exit, all built from the bound {@link TracingSettings} (the core's
 * half of {@code tracing:}), the {@link ExportSettings} its {@link TracingSection} read (where spans go) and
 * {@link MetricsSettings}.
 *
 * <p>{@code exporter: console} prints span trees to a {@code PrintStream} bound as
 * {@code @Named("pgobserver.tracing.console")}, {@code System.out} unless another module sets it through
 * Guice's {@code OptionalBinder} (the {@code demo} command captures the trees that way).

 */
public final class OtelTracingModule extends AbstractModule implements Adapter {

    public static final String NAME = "adapters-tracing-otel";
    /** The name of the optional {@code PrintStream} binding that receives console span trees. */
    public static final String CONSOLE_OUTPUT = "pgobserver.tracing.console";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<Capability> provides() {
        return Set.of(Capability.TRACING);
    }

    @Override
    public List<ConfigSection<?>> sections() {
        return List.of(new TracingSection(), new MetricsSection());
    }

    @Override
    protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), Key.get(PrintStream.class, Names.named(CONSOLE_OUTPUT)))
                .setDefault().toInstance(System.out);
        Multibinder.newSetBinder(binder(), Lifecycle.class).addBinding().to(OtelLifecycle.class);
    }

    @Provides
    @Singleton
    OtelSdk sdk(TracingSettings tracing, ExportSettings export, MetricsSettings metrics,
                @Named(CONSOLE_OUTPUT) PrintStream console) {
        return OtelSdk.create(tracing, export, metrics, console);
    }

    @Provides
    @Singleton
    Tracer tracer(OtelSdk sdk) {
        return sdk.tracer();
    }

    @Provides
    @Singleton
    Metrics metrics(OtelSdk sdk) {
        return sdk.metrics();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OtelTracingModule;
    }

    @Override
    public int hashCode() {
        return OtelTracingModule.class.hashCode();
    }
}
