package io.pgobserver.adapters.tracing.otel;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Guice module, one injector per exporter and protocol, as the bootstrap makes it. */
class OtelTracingModuleTest {

    private static Injector injector(ExportSettings export, MetricsSettings metrics, AbstractModule... extra) {
        return injector(TestSettings.ON, export, metrics, extra);
    }

    private static Injector injector(TracingSettings tracing, ExportSettings export, MetricsSettings metrics,
                                     AbstractModule... extra) {
        AbstractModule settings = new AbstractModule() {
            @Override
            protected void configure() {
                bind(TracingSettings.class).toInstance(tracing);
                bind(ExportSettings.class).toInstance(export);
                bind(MetricsSettings.class).toInstance(metrics);
            }
        };
        com.google.inject.Module[] modules = new com.google.inject.Module[extra.length + 2];
        modules[0] = new OtelTracingModule();
        modules[1] = settings;
        System.arraycopy(extra, 0, modules, 2, extra.length);
        return Guice.createInjector(modules);
    }

    private static Set<Lifecycle> lifecycles(Injector injector) {
        return injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { }));
    }

    @ParameterizedTest
    @CsvSource({
        "otlp, grpc, http://localhost:4317",
        "otlp, http/protobuf, http://localhost:4318/v1/traces",
        "jaeger, grpc, http://localhost:4317",
        "jaeger, http/protobuf, http://localhost:4318/v1/traces",
        "zipkin, grpc, http://localhost:9411/api/v2/spans",
        "console, grpc, ",
        "'console,zipkin', grpc, http://localhost:9411/api/v2/spans",
    })
    void eachExporterBuildsARecordingTracerAndItsLifecycle(String exporter, String protocol, String endpoint) {
        Injector injector = injector(TestSettings.tracing(exporter, null, protocol, 1.0), TestSettings.NO_METRICS);

        Tracer tracer = injector.getInstance(Tracer.class);
        assertThat(tracer).isInstanceOf(OtelTracer.class).isSameAs(injector.getInstance(Tracer.class));
        assertThat(tracer.isEnabled()).isTrue();
        assertThat(tracer.startTrace("process_event", TraceContext.NONE, SpanKind.INTERNAL).isRecording()).isTrue();
        assertThat(injector.getInstance(Metrics.class)).isSameAs(Metrics.NOOP);

        assertThat(lifecycles(injector)).singleElement().satisfies(lifecycle -> {
            assertThat(lifecycle.order()).isEqualTo(Lifecycle.ORDER_TELEMETRY);
            assertThat(lifecycle.name()).isEqualTo("opentelemetry");
            OtelSdk sdk = ((OtelLifecycle) lifecycle).sdk();
            assertThat(sdk).isSameAs(injector.getInstance(OtelSdk.class));
            String described = String.valueOf(sdk.tracerProvider());
            if (endpoint != null) {
                assertThat(described).contains(endpoint);
            }
            lifecycle.stop();
        });
    }

    @Test
    void noExporterOrTracingDisabledGivesTheOneNoopTracer() {
        Injector none = injector(TestSettings.tracing("none", null, "grpc", 1.0), TestSettings.NO_METRICS);
        Injector off = injector(TracingSettings.defaults(), ExportSettings.defaults(), TestSettings.NO_METRICS);
        for (Injector injector : new Injector[] {none, off}) {
            Tracer tracer = injector.getInstance(Tracer.class);
            assertThat(tracer).isSameAs(Tracer.noop());
            assertThat(tracer.startTrace("process_event", SampleTrace.writer(true), SpanKind.INTERNAL).isRecording())
                    .isFalse();
        }
    }

    @Test
    void metricsOnGivesTheOpenTelemetryMetrics() {
        Injector injector = injector(TestSettings.tracing("console", null, "grpc", 1.0), new MetricsSettings(true, 0));
        assertThat(injector.getInstance(Metrics.class)).isInstanceOf(OtelMetrics.class);
    }

    @Test
    void theConsoleTreeGoesToTheBoundPrintStream() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(captured, true, StandardCharsets.UTF_8);
        Injector injector = injector(TestSettings.tracing("console", null, "grpc", 1.0), TestSettings.NO_METRICS,
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        OptionalBinder.newOptionalBinder(binder(), Key.get(PrintStream.class,
                                Names.named(OtelTracingModule.CONSOLE_OUTPUT))).setBinding().toInstance(stream);
                    }
                });
        SampleTrace.run(injector.getInstance(Tracer.class), SampleTrace.writer(true));
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("process_event [").contains("└─ export_metrics [");
    }

    @Test
    void aBadEndpointIsABootErrorNamingTheSetting() {
        Injector injector = injector(TestSettings.tracing("otlp", "localhost:4317", "grpc", 1.0), TestSettings.NO_METRICS);
        assertThatThrownBy(() -> injector.getInstance(Tracer.class)).isInstanceOf(ProvisionException.class)
                .hasMessageContaining("tracing.endpoint 'localhost:4317' is not an http(s) URL");
    }

    @Test
    void oneEndpointForTwoNetworkExportersIsABootError() {
        Injector injector = injector(TestSettings.tracing("otlp,zipkin", "http://collector:4317", "grpc", 1.0),
                TestSettings.NO_METRICS);
        assertThatThrownBy(() -> injector.getInstance(Tracer.class)).isInstanceOf(ProvisionException.class)
                .hasMessageContaining("tracing.endpoint 'http://collector:4317' is ambiguous");
    }

    @Test
    void theServiceLoaderFindsTheModule() {
        assertThat(ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get))
                .filteredOn(adapter -> adapter instanceof OtelTracingModule)
                .singleElement().satisfies(adapter -> {
                    assertThat(adapter.name()).isEqualTo("adapters-tracing-otel");
                    assertThat(adapter.provides()).containsExactly(Adapter.Capability.TRACING);
                });
    }
}
