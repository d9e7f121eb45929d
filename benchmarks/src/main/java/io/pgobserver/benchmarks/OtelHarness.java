package io.pgobserver.benchmarks;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Stage;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.adapters.tracing.otel.OtelTracingModule;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The OpenTelemetry adapter as a deployment gets it (built by {@link OtelTracingModule} from {@link TracingSettings}:
 * 100% parent-based sampling, the batch span processor with the default queue and batch), with the network
 * exporter replaced by a {@link DiscardingSpanExporter} through the module's exporter override.
 */
final class OtelHarness implements AutoCloseable {

    /** The design's defaults (queue 2048, batch 512, 5 s delay), everything sampled. */
    static final TracingSettings SETTINGS = new TracingSettings(true, "pg-observer-bench", "otlp", null, "grpc", 1.0,
            2048, 512, Duration.ofSeconds(5), null, null, null, null);

    private final DiscardingSpanExporter exporter = new DiscardingSpanExporter();
    private final List<Lifecycle> lifecycles;
    private final Tracer tracer;

    OtelHarness() throws Exception {
        Injector injector = Guice.createInjector(Stage.PRODUCTION, new OtelTracingModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(TracingSettings.class).toInstance(SETTINGS);
                bind(MetricsSettings.class).toInstance(new MetricsSettings(false, 0));
                OptionalBinder.newOptionalBinder(binder(), Key.get(SpanExporter.class,
                        Names.named(OtelTracingModule.EXPORTER_OVERRIDE))).setBinding().toInstance(exporter);
            }
        });
        tracer = injector.getInstance(Tracer.class);
        lifecycles = injector.getInstance(Key.get(new TypeLiteral<java.util.Set<Lifecycle>>() { })).stream()
                .sorted(Comparator.comparingInt(Lifecycle::order)).toList();
        for (Lifecycle lifecycle : lifecycles) {
            lifecycle.start();
        }
    }

    Tracer tracer() {
        return tracer;
    }

    /** Spans the batch processor handed to the exporter so far (fewer than ended ones when its queue overflowed). */
    long exported() {
        return exporter.exported();
    }

    /** Flushes and shuts the SDK down. */
    @Override
    public void close() {
        for (int i = lifecycles.size() - 1; i >= 0; i--) {
            lifecycles.get(i).stop();
        }
    }
}
