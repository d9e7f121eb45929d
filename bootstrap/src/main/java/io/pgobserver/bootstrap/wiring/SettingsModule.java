package io.pgobserver.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.spi.Lifecycle;

/**
 * The settings of a configuration, for the adapters to inject: the core's, and each adapter's section under the
 * type its section declared. With the chosen tracing adapter alone it builds a tracer ({@link Host#tracer}); the
 * whole boot adds {@link CoreModule}'s use cases.
 */
final class SettingsModule extends AbstractModule {

    private final Configuration config;

    SettingsModule(Configuration config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        for (Configuration.AdapterSettings section : config.adapterSettings()) {
            if (section.value() != null) {
                bindSettings(section.section().type(), section.value());
            }
        }
        bind(ListenerSettings.class).toInstance(config.listener());
        bind(TracingSettings.class).toInstance(config.tracing());
        if (config.adapterSettings().stream().noneMatch(s -> s.value() instanceof MetricsSettings)) {
            // No adapter extends metrics: the core's settings (off) for whatever injects them.
            bind(MetricsSettings.class).toInstance(config.metrics());
        }
        Multibinder.newSetBinder(binder(), Lifecycle.class);
    }

    /** An adapter's settings under the type its section declared, for the adapter's classes to inject. */
    private <T> void bindSettings(Class<T> type, Object value) {
        bind(type).toInstance(type.cast(value));
    }
}
