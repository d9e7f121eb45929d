package io.pgobserver.bootstrap.wiring;

import com.google.inject.Module;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.domain.spi.Adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The adapters found on the class path, and the choice of which to install: every non-tracing adapter, and one
 * telemetry adapter — the OpenTelemetry one when tracing or metrics are on and it is present (with tracing off it
 * records metrics and traces nothing), else the no-op one.
 */
public final class AdapterCatalog {

    public static final String OTEL = "adapters-tracing-otel";
    public static final String NOOP = "adapters-tracing-noop";

    private final List<Adapter> adapters;

    public AdapterCatalog(List<Adapter> adapters) {
        for (Adapter adapter : adapters) {
            if (!(adapter instanceof Module)) {
                throw new IllegalStateException("adapter " + adapter.name() + " (" + adapter.getClass().getName()
                        + ") is not a Guice module");
            }
        }
        this.adapters = List.copyOf(adapters);
    }

    /** The adapters that {@link ServiceLoader} finds on the class path. */
    public static AdapterCatalog discover() {
        List<Adapter> found = new ArrayList<>();
        ServiceLoader.load(Adapter.class).forEach(found::add);
        return new AdapterCatalog(found);
    }

    public List<Adapter> adapters() {
        return adapters;
    }

    public boolean has(String name) {
        return adapters.stream().anyMatch(a -> a.name().equals(name));
    }

    /** The Guice modules to install for this configuration. */
    public Selection select(Configuration config) {
        List<Module> modules = new ArrayList<>();
        Adapter tracing = chooseTracing(config);
        for (Adapter adapter : adapters) {
            if (!adapter.provides().contains(Adapter.Capability.TRACING)) {
                modules.add((Module) adapter);
            }
        }
        modules.add((Module) tracing);
        return new Selection(List.copyOf(modules), tracing.name());
    }

    /** The modules chosen, and the tracing adapter's name (for logs and {@code check-config}). */
    public record Selection(List<Module> modules, String tracingAdapter) {
    }

    private Adapter chooseTracing(Configuration config) {
        List<Adapter> tracers = adapters.stream().filter(a -> a.provides().contains(Adapter.Capability.TRACING))
                .toList();
        Adapter noop = tracers.stream().filter(a -> a.name().equals(NOOP)).findFirst().orElseThrow(() ->
                new IllegalStateException("the no-op tracing adapter (" + NOOP + ") is missing from the class path"));
        if (!config.tracing().active() && !config.metrics().enabled()) {
            return noop;
        }
        List<Adapter> real = tracers.stream().filter(a -> !a.name().equals(NOOP)).toList();
        if (real.isEmpty()) {
            if (config.metrics().enabled() && !config.tracing().active()) {
                throw new ConfigException("metrics.enabled needs the module " + OTEL + ", which is not on the class"
                        + " path: add its jar, or set metrics.enabled: false");
            }
            if (config.exporterChosen()) {
                throw new ConfigException("tracing.exporter '" + config.tracing().exporter() + "' needs the module "
                        + OTEL + ", which is not on the class path: add its jar, or set tracing.exporter: none");
            }
            return noop;
        }
        if (real.size() > 1) {
            throw new ConfigException("more than one tracing adapter on the class path ("
                    + real.stream().map(Adapter::name).collect(Collectors.joining(", ")) + "): keep one");
        }
        return real.getFirst();
    }
}
