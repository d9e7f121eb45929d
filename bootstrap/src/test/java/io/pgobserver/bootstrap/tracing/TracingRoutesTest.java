package io.pgobserver.bootstrap.tracing;

import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Names;
import io.pgobserver.adapters.tracing.otel.OtelTracingModule;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every configuration route of docs/guide.md that chooses or disables tracing, and every exporter, each through the
 * whole boot: a configuration file, an environment and {@code --set} flags loaded by {@link ConfigLoader}, then the
 * injector from {@link Boot#boot} with the adapters on the class path (or a catalog without the OpenTelemetry
 * one). No service is started: the database URL points nowhere, and nothing may touch it or a trace backend.
 */
class TracingRoutesTest {

    /** A database nobody listens on: booting must not connect (that waits for the services to start). */
    private static final String BASE = """
            database: { url: "jdbc:postgresql://127.0.0.1:1/app", user: app }
            metrics: { enabled: false }
            """;
    private static final String OTEL = AdapterCatalog.OTEL;
    private static final String NOOP = AdapterCatalog.NOOP;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final List<Lifecycle> built = new ArrayList<>();

    /** One way of configuring: the file's {@code tracing:} block, the environment and the {@code --set} flags. */
    record Route(String name, String tracingYaml, Map<String, String> env, List<String> flags) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Route yaml(String tracingYaml) {
        return new Route("YAML " + tracingYaml.strip().replace('\n', ' '), tracingYaml, Map.of(), List.of());
    }

    private static Route env(Map<String, String> env) {
        return new Route("env " + env, "", env, List.of());
    }

    private static Route env(String tracingYaml, Map<String, String> env) {
        return new Route("YAML " + tracingYaml.strip().replace('\n', ' ') + " + env " + env, tracingYaml, env, List.of());
    }

    private static Route flags(String tracingYaml, Map<String, String> env, String... flags) {
        return new Route("--set " + String.join(" --set ", flags) + (tracingYaml.isEmpty() ? "" : " over YAML "
                + tracingYaml.strip()) + (env.isEmpty() ? "" : " and env " + env), tracingYaml, env, List.of(flags));
    }

    /** The tracing adapter, its state, and the settings it was given. */
    record Expected(String adapter, boolean enabled, String exporter, String endpoint, String protocol) {
    }

    private static Expected otel(String exporter, String endpoint, String protocol) {
        return new Expected(OTEL, true, exporter, endpoint, protocol);
    }

    private static Expected noop(String exporter) {
        return new Expected(NOOP, false, exporter, null, "grpc");
    }

    private Configuration load(Route route) throws IOException {
        Path file = Files.createTempFile(dir, "pg-observer", ".yaml");
        Files.writeString(file, BASE + route.tracingYaml());
        return new ConfigLoader(route.env()).load(file, route.flags());
    }

    private Boot.Booted boot(Configuration config, AdapterCatalog catalog) {
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        Boot.Booted booted = Boot.boot(config, catalog, new AbstractModule() {
            @Override
            protected void configure() {
                // Console span trees go to this test's buffer instead of System.out.
                OptionalBinder.newOptionalBinder(binder(), Key.get(PrintStream.class,
                        Names.named(OtelTracingModule.CONSOLE_OUTPUT))).setBinding().toInstance(out);
            }
        });
        built.addAll(booted.injector().getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { })));
        return booted;
    }

    /**
     * The SDK's batch threads start with the injector: stop them. Nothing was queued for a network exporter, so
     * this sends nothing; the database's lifecycle was never started and is left alone.
     */
    @AfterEach
    void stopTelemetry() {
        built.stream().filter(l -> l.name().equals("opentelemetry")).forEach(Lifecycle::stop);
    }

    /** Ends a small trace through the tracer; returns its trace id. */
    private static String traceThrough(Tracer tracer) {
        TraceContext writer = TraceContext.of("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true);
        Span root = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        tracer.startSpan("export_metrics", root, SpanKind.INTERNAL).end();
        root.end();
        return writer.traceId();
    }

    private String consoleOutput() {
        return console.toString(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> exporterRoutes() {
        String grpc = "grpc";
        String http = "http/protobuf";
        return Stream.of(
                // The file.
                Arguments.of(yaml(""), otel("otlp", null, grpc)),
                Arguments.of(yaml("tracing: { exporter: otlp, endpoint: \"http://collector:4317\" }"),
                        otel("otlp", "http://collector:4317", grpc)),
                Arguments.of(yaml("tracing: { exporter: otlp, endpoint: \"http://collector:4318\", protocol: http/protobuf }"),
                        otel("otlp", "http://collector:4318", http)),
                Arguments.of(yaml("tracing: { exporter: jaeger, endpoint: \"http://jaeger:4317\" }"),
                        otel("jaeger", "http://jaeger:4317", grpc)),
                Arguments.of(yaml("tracing: { exporter: jaeger, endpoint: \"http://jaeger:4318\", protocol: http/protobuf }"),
                        otel("jaeger", "http://jaeger:4318", http)),
                Arguments.of(yaml("tracing: { exporter: zipkin, endpoint: \"http://zipkin:9411/api/v2/spans\" }"),
                        otel("zipkin", "http://zipkin:9411/api/v2/spans", grpc)),
                Arguments.of(yaml("tracing: { exporter: console }"), otel("console", null, grpc)),
                Arguments.of(yaml("tracing: { exporter: none }"), noop("none")),
                Arguments.of(yaml("tracing: { exporter: \"console,zipkin\", endpoint: \"http://zipkin:9411\" }"),
                        otel("console,zipkin", "http://zipkin:9411", grpc)),
                // TRACING_EXPORTER, over the file.
                Arguments.of(env(Map.of("TRACING_EXPORTER", "otlp")), otel("otlp", null, grpc)),
                Arguments.of(env(Map.of("TRACING_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", http)),
                        otel("otlp", null, http)),
                Arguments.of(env(Map.of("TRACING_EXPORTER", "jaeger")), otel("jaeger", null, grpc)),
                Arguments.of(env("tracing: { exporter: otlp }\n", Map.of("TRACING_EXPORTER", "zipkin")),
                        otel("zipkin", null, grpc)),
                Arguments.of(env("tracing: { exporter: zipkin }\n", Map.of("TRACING_EXPORTER", "console")),
                        otel("console", null, grpc)),
                Arguments.of(env("tracing: { exporter: console }\n", Map.of("TRACING_EXPORTER", "none")), noop("none")),
                Arguments.of(env(Map.of("TRACING_EXPORTER", "console,zipkin")), otel("console,zipkin", null, grpc)),
                // OTEL_TRACES_EXPORTER, over the file, under the design's own name.
                Arguments.of(env("tracing: { exporter: zipkin }\n", Map.of("OTEL_TRACES_EXPORTER", "otlp")),
                        otel("otlp", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "jaeger")), otel("jaeger", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "zipkin")), otel("zipkin", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "console")), otel("console", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "logging")), otel("console", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "none")), noop("none")),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "console,zipkin")), otel("console,zipkin", null, grpc)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "zipkin", "TRACING_EXPORTER", "console")),
                        otel("console", null, grpc)),
                // ZIPKIN_ENDPOINT chooses Zipkin and says where.
                Arguments.of(env("tracing: { exporter: otlp, endpoint: \"http://collector:4317\" }\n",
                                Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411/api/v2/spans")),
                        otel("zipkin", "http://zipkin:9411/api/v2/spans", grpc)),
                // JAEGER_ENDPOINT: OTLP to Jaeger, over gRPC unless the OTLP protocol says otherwise.
                Arguments.of(env(Map.of("JAEGER_ENDPOINT", "http://jaeger:4317")), otel("jaeger", "http://jaeger:4317", grpc)),
                Arguments.of(env(Map.of("JAEGER_ENDPOINT", "http://jaeger:4318", "OTEL_EXPORTER_OTLP_PROTOCOL", http)),
                        otel("jaeger", "http://jaeger:4318", http)),
                // JAEGER_AGENT_HOST: the retired Thrift agent becomes OTLP gRPC on that host's 4317.
                Arguments.of(env(Map.of("JAEGER_AGENT_HOST", "jaeger-agent", "JAEGER_AGENT_PORT", "6831")),
                        otel("jaeger", "http://jaeger-agent:4317", grpc)),
                Arguments.of(env("tracing: { protocol: http/protobuf }\n", Map.of("JAEGER_AGENT_HOST", "jaeger-agent")),
                        otel("jaeger", "http://jaeger-agent:4317", grpc)),
                // OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL, for the default exporter.
                Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
                        otel("otlp", "http://collector:4317", grpc)),
                Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                        "OTEL_EXPORTER_OTLP_PROTOCOL", http)), otel("otlp", "http://collector:4318", http)),
                Arguments.of(env("tracing: { exporter: jaeger }\n",
                        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317")), otel("jaeger", "http://jaeger:4317", grpc)),
                // --set flags, over file and environment.
                Arguments.of(flags("tracing: { exporter: console }\n", Map.of("TRACING_EXPORTER", "otlp"),
                        "tracing.exporter=zipkin", "tracing.endpoint=http://zipkin:9411"),
                        otel("zipkin", "http://zipkin:9411", grpc)),
                Arguments.of(flags("", Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411"), "tracing.exporter=otlp",
                        "tracing.endpoint=http://collector:4318", "tracing.protocol=http/protobuf"),
                        otel("otlp", "http://collector:4318", http)),
                Arguments.of(flags("", Map.of(), "tracing.exporter=console,zipkin"), otel("console,zipkin", null, grpc)),
                Arguments.of(flags("", Map.of(), "tracing.exporter=none"), noop("none")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exporterRoutes")
    void eachRouteChoosesItsExporter(Route route, Expected expected) throws IOException {
        Configuration config = load(route);
        Boot.Booted booted = boot(config, AdapterCatalog.discover());

        assertThat(booted.tracingAdapter()).isEqualTo(expected.adapter());
        Tracer tracer = booted.get(Tracer.class);
        assertThat(tracer.isEnabled()).as("tracer enabled").isEqualTo(expected.enabled());
        if (!expected.enabled()) {
            assertThat(tracer).isSameAs(Tracer.noop());
        }
        TracingSettings effective = booted.get(TracingSettings.class);
        assertThat(effective.exporter()).as("exporter").isEqualTo(expected.exporter());
        assertThat(effective.endpoint()).as("endpoint").isEqualTo(expected.endpoint());
        assertThat(effective.protocol()).as("protocol").isEqualTo(expected.protocol());
        assertThat(config.warnings()).as("warnings").hasSize(route.env().containsKey("JAEGER_AGENT_HOST") ? 1 : 0);

        // Only exporters that send nothing over the network see a span here; the console one prints it.
        if (Set.of("console", "none").containsAll(effective.exporters())) {
            String traceId = traceThrough(tracer);
            if (effective.exporters().contains("console")) {
                assertThat(consoleOutput()).startsWith("trace " + traceId).contains("process_event", "export_metrics");
            } else {
                assertThat(consoleOutput()).isEmpty();
            }
        }
    }

    static Stream<Arguments> serviceNameAndSamplingRoutes() {
        String console = "tracing: { exporter: console }\n";
        return Stream.of(
                Arguments.of(yaml("tracing: { exporter: console, service_name: orders-observer, sample_rate: 0.0 }"),
                        "orders-observer", 0.0),
                Arguments.of(env(console, Map.of("TRACING_SERVICE_NAME", "from-tracing", "TRACING_SAMPLE_RATE", "0.0")),
                        "from-tracing", 0.0),
                Arguments.of(env(console, Map.of("OTEL_SERVICE_NAME", "from-otel",
                        "OTEL_TRACES_SAMPLER", "parentbased_always_off")), "from-otel", 0.0),
                Arguments.of(env(console, Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                        "OTEL_TRACES_SAMPLER_ARG", "0.0")), "pg-observer", 0.0),
                Arguments.of(env(console, Map.of("OTEL_TRACES_SAMPLER_ARG", "0")), "pg-observer", 0.0),
                Arguments.of(env("tracing: { exporter: console, sample_rate: 0.0 }\n",
                        Map.of("OTEL_TRACES_SAMPLER", "parentbased_always_on")), "pg-observer", 1.0),
                Arguments.of(env(console, Map.of("OTEL_SERVICE_NAME", "from-otel", "TRACING_SERVICE_NAME", "wins",
                        "TRACING_SAMPLE_RATE", "1.0", "JAEGER_SAMPLE_RATE", "0.0")), "wins", 0.0),
                Arguments.of(flags(console, Map.of("TRACING_SAMPLE_RATE", "1.0"), "tracing.sample_rate=0.0",
                        "tracing.service_name=from-flag"), "from-flag", 0.0));
    }

    /**
     * The service name and the sampler come from every route, and the sampler is the one the tracer uses: with the
     * console exporter a new root trace prints only at rate 1.0, while a sampled writer's trace prints at any rate.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNameAndSamplingRoutes")
    void eachRouteSetsTheServiceNameAndTheSampler(Route route, String serviceName, double sampleRate)
            throws IOException {
        Boot.Booted booted = boot(load(route), AdapterCatalog.discover());
        TracingSettings effective = booted.get(TracingSettings.class);
        assertThat(effective.serviceName()).isEqualTo(serviceName);
        assertThat(effective.sampleRate()).isEqualTo(sampleRate);

        Tracer tracer = booted.get(Tracer.class);
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        String newTrace = root.context().isValid() ? root.context().traceId() : null;
        root.end();
        assertThat(newTrace != null && consoleOutput().startsWith("trace " + newTrace))
                .as("a new root trace was sampled and printed").isEqualTo(sampleRate == 1.0);
        String continued = traceThrough(tracer);
        assertThat(consoleOutput()).as("the sampled writer's trace").contains("trace " + continued);
    }

    @Test
    void jaegerAgentVariablesWarnOnceAndNameTheReplacement() throws IOException {
        Configuration config = load(env(Map.of("JAEGER_AGENT_HOST", "jaeger-agent", "JAEGER_AGENT_PORT", "6831")));
        assertThat(config.warnings()).singleElement().asString().contains("JAEGER_AGENT_HOST", "http://jaeger-agent:4317",
                "JAEGER_AGENT_PORT=6831 ignored");
    }

    static Stream<Route> disablingRoutes() {
        // Each asks for the console exporter too: if the route failed to disable tracing, the span would print.
        String console = "tracing: { exporter: console }\n";
        return Stream.of(
                yaml("tracing: { enabled: false, exporter: console }"),
                env(console, Map.of("TRACING_ENABLED", "false")),
                env(console, Map.of("OTEL_SDK_DISABLED", "true")),
                env(console, Map.of("OTEL_SDK_DISABLED", "true", "TRACING_ENABLED", "true", "TRACING_EXPORTER", "console")),
                flags(console, Map.of(), "tracing.enabled=false"),
                flags("tracing: { enabled: true }\n", Map.of("TRACING_EXPORTER", "console"), "tracing.enabled=false"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disablingRoutes")
    void eachDisablingRouteInstallsTheNoopTracerThatExportsNothing(Route route) throws IOException {
        Configuration config = load(route);
        Boot.Booted booted = boot(config, AdapterCatalog.discover());

        assertThat(booted.tracingAdapter()).isEqualTo(NOOP);
        Tracer tracer = booted.get(Tracer.class);
        assertThat(tracer).isSameAs(Tracer.noop());
        assertThat(tracer.isEnabled()).isFalse();
        assertThat(booted.get(TracingSettings.class).enabled()).isFalse();
        assertThat(booted.get(TracingSettings.class).exporter()).isEqualTo("console");
        traceThrough(tracer);
        assertThat(consoleOutput()).as("console exporter output").isEmpty();
    }

    /** A deployment assembled without the OpenTelemetry adapter's jar. */
    @Nested
    class WithoutTheOpenTelemetryAdapter {

        private final AdapterCatalog catalog = new AdapterCatalog(AdapterCatalog.discover().adapters().stream()
                .filter(adapter -> !(adapter instanceof OtelTracingModule)).toList());

        @Test
        void theCatalogReallyLacksIt() {
            assertThat(catalog.has(OTEL)).isFalse();
            assertThat(catalog.has(NOOP)).isTrue();
            assertThat(AdapterCatalog.discover().has(OTEL)).as("the full class path has it").isTrue();
        }

        static Stream<Route> routesThatDoNotAskForAnExporter() {
            return Stream.of(yaml(""), yaml("tracing: { service_name: orders-observer, sample_rate: 0.5 }"),
                    env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
                    yaml("tracing: { exporter: none }"), env(Map.of("OTEL_TRACES_EXPORTER", "none")),
                    env("tracing: { exporter: zipkin }\n", Map.of("TRACING_ENABLED", "false")),
                    env(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411", "OTEL_SDK_DISABLED", "true")));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("routesThatDoNotAskForAnExporter")
        void theObserverRunsOnTheNoopTracer(Route route) throws IOException {
            Boot.Booted booted = boot(load(route), catalog);
            assertThat(booted.tracingAdapter()).isEqualTo(NOOP);
            assertThat(booted.get(Tracer.class)).isSameAs(Tracer.noop());
            assertThat(booted.get(Tracer.class).isEnabled()).isFalse();
        }

        static Stream<Route> routesThatAskForAnExporter() {
            return Stream.of(yaml("tracing: { exporter: otlp }"), yaml("tracing: { exporter: console }"),
                    env(Map.of("TRACING_EXPORTER", "jaeger")), env(Map.of("OTEL_TRACES_EXPORTER", "zipkin")),
                    env(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411")),
                    env(Map.of("JAEGER_ENDPOINT", "http://jaeger:4317")),
                    env(Map.of("JAEGER_AGENT_HOST", "jaeger-agent")),
                    flags("", Map.of(), "tracing.exporter=console,zipkin"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("routesThatAskForAnExporter")
        void askingForAnExporterIsABootErrorNamingTheModule(Route route) throws IOException {
            Configuration config = load(route);
            assertThatThrownBy(() -> boot(config, catalog)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("adapters-tracing-otel")
                    .hasMessageContaining("tracing.exporter '" + config.tracing().exporter() + "'");
        }
    }
}
