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
import io.pgobserver.bootstrap.config.EffectiveConfig;
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

    /**
     * The tracing adapter, whether it traces, and where the SDK sends spans as it was built: each exporter's
     * description ({@code otlp grpc http://collector:4317}, {@code console}), sorted.
     */
    record Expected(String adapter, boolean enabled, List<String> exports) {
    }

    private static Expected otel(String... exports) {
        return new Expected(OTEL, true, Stream.of(exports).sorted().toList());
    }

    private static Expected noop() {
        return new Expected(NOOP, false, List.of());
    }

    /** Tracing is opt-in: the routes below switch it on with TRACING_ENABLED unless they say otherwise. */
    private static Map<String, String> on(Map<String, String> env) {
        Map<String, String> out = new java.util.HashMap<>(env);
        out.putIfAbsent("TRACING_ENABLED", "true");
        return out;
    }

    private static Route on(Route route) {
        return new Route(route.name(), route.tracingYaml(), on(route.env()), route.flags());
    }

    private Configuration load(Route route) throws IOException {
        return load(route, AdapterCatalog.discover());
    }

    /** Loaded as a deployment with these adapters loads it: they say which keys and variables are read. */
    private Configuration load(Route route, AdapterCatalog catalog) throws IOException {
        Path file = Files.createTempFile(dir, "pg-observer", ".yaml");
        Files.writeString(file, BASE + route.tracingYaml());
        return new ConfigLoader(route.env(), catalog.schema()).load(file, route.flags());
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
        String http = "http/protobuf";
        String otlpDefault = "otlp grpc http://localhost:4317";
        String zipkinDefault = "zipkin http://localhost:9411/api/v2/spans";
        return Stream.of(
                // The file.
                Arguments.of(on(yaml("")), otel(otlpDefault)),
                Arguments.of(yaml("tracing: { enabled: true }"), otel(otlpDefault)),
                Arguments.of(on(yaml("tracing: { exporter: otlp, endpoint: \"http://collector:4317\" }")),
                        otel("otlp grpc http://collector:4317")),
                Arguments.of(on(yaml("tracing: { exporter: otlp, endpoint: \"http://collector:4318\", protocol: http/protobuf }")),
                        otel("otlp http/protobuf http://collector:4318/v1/traces")),
                Arguments.of(on(yaml("tracing: { exporter: otlp, endpoint: \"https://host/otlp/v1/traces\", protocol: http/protobuf }")),
                        otel("otlp http/protobuf https://host/otlp/v1/traces")),
                Arguments.of(on(yaml("tracing: { exporter: jaeger, endpoint: \"http://jaeger:4317\" }")),
                        otel("otlp grpc http://jaeger:4317")),
                Arguments.of(on(yaml("tracing: { exporter: jaeger, endpoint: \"http://jaeger:4318\", protocol: http/protobuf }")),
                        otel("otlp http/protobuf http://jaeger:4318/v1/traces")),
                Arguments.of(on(yaml("tracing: { exporter: zipkin, endpoint: \"http://zipkin:9411/api/v2/spans\" }")),
                        otel("zipkin http://zipkin:9411/api/v2/spans")),
                Arguments.of(on(yaml("tracing: { exporter: console }")), otel("console")),
                Arguments.of(on(yaml("tracing: { exporter: none }")), noop()),
                Arguments.of(on(yaml("tracing: { exporter: \"console,zipkin\", endpoint: \"http://zipkin:9411\" }")),
                        otel("console", "zipkin http://zipkin:9411/api/v2/spans")),
                // TRACING_EXPORTER, over the file.
                Arguments.of(env(on(Map.of("TRACING_EXPORTER", "jaeger"))), otel(otlpDefault)),
                Arguments.of(env("tracing: { exporter: otlp }\n", on(Map.of("TRACING_EXPORTER", "zipkin"))),
                        otel(zipkinDefault)),
                Arguments.of(env("tracing: { exporter: console }\n", on(Map.of("TRACING_EXPORTER", "none"))), noop()),
                Arguments.of(env(on(Map.of("TRACING_EXPORTER", "console,zipkin"))), otel("console", zipkinDefault)),
                // The OTEL_* variables, read by the SDK over the file; an exporter setting switches tracing on.
                Arguments.of(env("tracing: { exporter: zipkin }\n", Map.of("OTEL_TRACES_EXPORTER", "otlp")),
                        otel(otlpDefault)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "zipkin")), otel(zipkinDefault)),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "zipkin",
                        "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://zipkin:9411")), otel("zipkin http://zipkin:9411/api/v2/spans")),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "console")), otel("console")),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "logging")), otel("console")),
                Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "console,zipkin")), otel("console", zipkinDefault)),
                Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
                        otel("otlp grpc http://collector:4317")),
                Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://host/otlp",
                        "OTEL_EXPORTER_OTLP_PROTOCOL", http)), otel("otlp http/protobuf https://host/otlp/v1/traces")),
                Arguments.of(env("tracing: { endpoint: \"http://file:4318/custom\", protocol: http/protobuf }\n",
                        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")),
                        otel("otlp http/protobuf http://collector:4318/v1/traces")),
                Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317",
                        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4317")), otel("otlp grpc http://traces:4317")),
                Arguments.of(env("tracing: { exporter: jaeger }\n",
                        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://jaeger:4317")), otel("otlp grpc http://jaeger:4317")),
                // ZIPKIN_ENDPOINT chooses Zipkin and says where.
                Arguments.of(env("tracing: { exporter: otlp, endpoint: \"http://collector:4317\" }\n",
                                on(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411/api/v2/spans"))),
                        otel("zipkin http://zipkin:9411/api/v2/spans")),
                // JAEGER_ENDPOINT: OTLP to Jaeger; its retired Thrift collector becomes OTLP/HTTP on that host's 4318.
                Arguments.of(env(on(Map.of("JAEGER_ENDPOINT", "http://jaeger:4317"))), otel("otlp grpc http://jaeger:4317")),
                Arguments.of(env(on(Map.of("JAEGER_ENDPOINT", "http://jaeger:14268/api/traces"))),
                        otel("otlp http/protobuf http://jaeger:4318/v1/traces")),
                // JAEGER_AGENT_HOST: the retired Thrift agent becomes OTLP gRPC on that host's 4317.
                Arguments.of(env(on(Map.of("JAEGER_AGENT_HOST", "jaeger-agent", "JAEGER_AGENT_PORT", "6831"))),
                        otel("otlp grpc http://jaeger-agent:4317")),
                // --set flags, over file and environment.
                Arguments.of(flags("tracing: { exporter: console }\n", on(Map.of("TRACING_EXPORTER", "otlp")),
                        "tracing.exporter=zipkin", "tracing.endpoint=http://zipkin:9411"),
                        otel("zipkin http://zipkin:9411/api/v2/spans")),
                Arguments.of(flags("", Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411"), "tracing.enabled=true",
                        "tracing.exporter=otlp", "tracing.endpoint=http://collector:4318", "tracing.protocol=http/protobuf"),
                        otel("otlp http/protobuf http://collector:4318/v1/traces")),
                Arguments.of(flags("", Map.of(), "tracing.enabled=true", "tracing.exporter=none"), noop()));
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
            return;
        }
        assertThat(built).filteredOn(l -> l.name().equals("opentelemetry")).singleElement().asString()
                .startsWith("opentelemetry service ").endsWith(" " + expected.exports());
        boolean retired = route.env().containsKey("JAEGER_AGENT_HOST")
                || route.env().getOrDefault("JAEGER_ENDPOINT", "").contains("14268");
        assertThat(config.warnings()).as("warnings").hasSize(retired ? 1 : 0);

        // Only exporters that send nothing over the network see a span here; the console one prints it.
        if (expected.exports().equals(List.of("console"))) {
            String traceId = traceThrough(tracer);
            assertThat(consoleOutput()).startsWith("trace " + traceId).contains("process_event", "export_metrics");
        }
    }

    @Test
    void tracingIsOptIn() throws IOException {
        for (Route route : List.of(yaml(""), yaml("tracing: { exporter: console, service_name: x }"),
                env(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411")))) {
            Boot.Booted booted = boot(load(route), AdapterCatalog.discover());
            assertThat(booted.tracingAdapter()).as(route.name()).isEqualTo(NOOP);
            assertThat(booted.get(Tracer.class).isEnabled()).isFalse();
        }
    }

    static Stream<Arguments> serviceNameAndSamplingRoutes() {
        String console = "tracing: { enabled: true, exporter: console }\n";
        return Stream.of(
                Arguments.of(yaml("tracing: { enabled: true, exporter: console, service_name: orders-observer, sample_rate: 0.0 }"),
                        "orders-observer", 0.0),
                Arguments.of(env(console, Map.of("TRACING_SERVICE_NAME", "from-tracing", "TRACING_SAMPLE_RATE", "0.0")),
                        "from-tracing", 0.0),
                Arguments.of(env(console, Map.of("OTEL_SERVICE_NAME", "from-otel",
                        "OTEL_TRACES_SAMPLER", "parentbased_always_off")), "from-otel", 0.0),
                Arguments.of(env(console, Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                        "OTEL_TRACES_SAMPLER_ARG", "0.0")), "pg-observer", 0.0),
                Arguments.of(env(console, Map.of("OTEL_TRACES_SAMPLER_ARG", "0")), "pg-observer", 0.0),
                Arguments.of(env("tracing: { enabled: true, exporter: console, sample_rate: 0.0 }\n",
                        Map.of("OTEL_TRACES_SAMPLER", "parentbased_always_on")), "pg-observer", 1.0),
                Arguments.of(env(console, Map.of("OTEL_SERVICE_NAME", "from-otel", "TRACING_SERVICE_NAME", "file-level",
                        "TRACING_SAMPLE_RATE", "1.0", "JAEGER_SAMPLE_RATE", "0.0")), "from-otel", 0.0),
                Arguments.of(flags(console, Map.of("TRACING_SAMPLE_RATE", "1.0"), "tracing.sample_rate=0.0",
                        "tracing.service_name=from-flag"), "from-flag", 0.0));
    }

    /**
     * The service name and the sampler come from every route, and the sampler is the one the tracer uses: with the
     * console exporter a new root trace prints only at rate 1.0, while a sampled writer's trace prints at any rate.
     * The console tree's header names the service as the SDK's resource has it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serviceNameAndSamplingRoutes")
    void eachRouteSetsTheServiceNameAndTheSampler(Route route, String serviceName, double sampleRate)
            throws IOException {
        Boot.Booted booted = boot(load(route), AdapterCatalog.discover());

        Tracer tracer = booted.get(Tracer.class);
        Span root = tracer.startTrace("process_event", TraceContext.NONE, SpanKind.CONSUMER);
        String newTrace = root.context().isValid() ? root.context().traceId() : null;
        root.end();
        assertThat(newTrace != null && consoleOutput().startsWith("trace " + newTrace))
                .as("a new root trace was sampled and printed").isEqualTo(sampleRate == 1.0);
        String continued = traceThrough(tracer);
        assertThat(consoleOutput()).as("the sampled writer's trace").contains("trace " + continued);
        assertThat(built).filteredOn(l -> l.name().equals("opentelemetry")).singleElement().asString()
                .startsWith("opentelemetry service " + serviceName + " ");
    }

    @Test
    void jaegerAgentVariablesWarnOnceAndNameTheReplacement() throws IOException {
        Configuration config = load(env(on(Map.of("JAEGER_AGENT_HOST", "jaeger-agent", "JAEGER_AGENT_PORT", "6831"))));
        assertThat(config.warnings()).singleElement().asString().contains("JAEGER_AGENT_HOST", "http://jaeger-agent:4317",
                "JAEGER_AGENT_PORT=6831 ignored");
    }

    static Stream<Route> disablingRoutes() {
        // Each asks for the console exporter too: if the route failed to disable tracing, the span would print.
        String console = "tracing: { enabled: true, exporter: console }\n";
        return Stream.of(
                yaml("tracing: { enabled: false, exporter: console }"),
                yaml("tracing: { exporter: console }"),
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
        assertThat(EffectiveConfig.value(config, "tracing.exporter")).isEqualTo("console");
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
            return Stream.of(yaml(""), on(yaml("")), yaml("tracing: { enabled: false }"),
                    on(yaml("tracing: { components: { cache: false }, entities: [orders], kinds: [created] }")),
                    env(Map.of("OTEL_TRACES_EXPORTER", "none")), env(Map.of("OTEL_SERVICE_NAME", "x")),
                    env(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411", "OTEL_SDK_DISABLED", "true")),
                    env(Map.of("TRACING_EXPORTER", "zipkin", "TRACING_ENABLED", "false")));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("routesThatDoNotAskForAnExporter")
        void theObserverRunsOnTheNoopTracer(Route route) throws IOException {
            Boot.Booted booted = boot(load(route, catalog), catalog);
            assertThat(booted.tracingAdapter()).isEqualTo(NOOP);
            assertThat(booted.get(Tracer.class)).isSameAs(Tracer.noop());
            assertThat(booted.get(Tracer.class).isEnabled()).isFalse();
        }

        /** Each with the key or variable that the error names. */
        static Stream<Arguments> routesThatAskForAnExporter() {
            return Stream.of(
                    Arguments.of(on(yaml("tracing: { exporter: otlp }")), "tracing.exporter"),
                    Arguments.of(on(yaml("tracing: { exporter: console }")), "tracing.exporter"),
                    Arguments.of(yaml("tracing: { enabled: true, exporter: zipkin, endpoint: \"http://zipkin:9411\" }"),
                            "tracing.exporter"),
                    Arguments.of(yaml("tracing: { exporter: zipkin }"), "tracing.exporter"),
                    Arguments.of(on(yaml("tracing: { service_name: orders-observer, sample_rate: 0.5 }")),
                            "tracing.sample_rate"),
                    Arguments.of(yaml("tracing: { jaeger: { agent_host: jaeger } }"), "tracing.jaeger"),
                    Arguments.of(env(on(Map.of("TRACING_EXPORTER", "jaeger"))), "TRACING_EXPORTER"),
                    Arguments.of(env(Map.of("OTEL_TRACES_EXPORTER", "zipkin")), "OTEL_TRACES_EXPORTER"),
                    Arguments.of(env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")),
                            "OTEL_EXPORTER_OTLP_ENDPOINT"),
                    Arguments.of(env(on(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411"))), "ZIPKIN_ENDPOINT"),
                    Arguments.of(env(on(Map.of("JAEGER_ENDPOINT", "http://jaeger:4317"))), "JAEGER_ENDPOINT"),
                    Arguments.of(env(on(Map.of("JAEGER_AGENT_HOST", "jaeger-agent"))), "JAEGER_AGENT_HOST"),
                    Arguments.of(flags("", Map.of(), "tracing.enabled=true", "tracing.exporter=console,zipkin"),
                            "tracing.exporter"));
        }

        /**
         * The exporter's keys and variables are the adapter's: without it, any of them (a key even with tracing
         * off, as any key of a missing adapter) stops the load naming the adapter, as a user's check-config shows.
         */
        @ParameterizedTest(name = "{0}")
        @MethodSource("routesThatAskForAnExporter")
        void askingForAnExporterIsAnErrorNamingTheModule(Route route, String named) {
            assertThatThrownBy(() -> load(route, catalog)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("adapters-tracing-otel").hasMessageContaining("not installed")
                    .hasMessageContaining(named);
        }
    }
}
