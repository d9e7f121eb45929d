package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.exporter.internal.SenderUtil;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.internal.DefaultConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file's endpoint as SDK properties, and the endpoint the SDK then sends to. */
class SpanExportersTest {

    /** The properties the SDK sees when the host passes the process's environment on, as {@code run} does. */
    private static ConfigProperties config(ExportSettings settings) {
        return config(settings, settings.environment());
    }

    /**
     * The properties the SDK sees, layered as the builder layers them: the file's, the process's environment over
     * them (the SDK reads it itself), then the customizer's over both.
     */
    private static ConfigProperties config(ExportSettings settings, Map<String, String> process) {
        Map<String, String> file = SdkProperties.fromFile(settings, settings.exports(), TestSettings.NO_METRICS);
        Map<String, String> properties = new HashMap<>(file);
        process.forEach((name, value) -> properties.put(SdkProperties.property(name), value));
        properties.putAll(SdkProperties.fromEnvironment(settings, settings.exports(), file, process));
        return DefaultConfigProperties.createFromMap(properties);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "grpc, null, http://localhost:4317",
        "http/protobuf, null, http://localhost:4318/v1/traces",
        "grpc, http://tempo:4317, http://tempo:4317",
        "http/protobuf, http://tempo:4318, http://tempo:4318/v1/traces",
        "http/protobuf, http://tempo:4318/, http://tempo:4318/v1/traces",
        "http/protobuf, https://otlp.example.com/otlp/v1/traces, https://otlp.example.com/otlp/v1/traces",
    })
    void otlpEndpoints(String protocol, String configured, String expected) {
        assertThat(SpanExporters.otlpEndpoint(config(TestSettings.tracing("otlp", configured, protocol, 1.0)),
                protocol.equals("grpc"))).isEqualTo(expected);
    }

    @Test
    void anOtlpExporterToAnHttpsEndpointWithNoClientKeyIsOneAMutualTlsCollectorWouldCloseOn() {
        ExportSettings https = TestSettings.tracing("otlp", "https://otlp.example.com/otlp", "http/protobuf", 1.0);
        SpanExporter http = OtlpHttpSpanExporter.builder().setComponentLoader(SpanExporters.components(System.out))
                .build();
        SpanExporter grpc = OtlpGrpcSpanExporter.getDefault();
        try {
            assertThat(SpanExporters.tlsWithoutClientCertificate(http, config(https))).isTrue();
            assertThat(SpanExporters.tlsWithoutClientCertificate(grpc, config(https))).isTrue();
            assertThat(SpanExporters.tlsWithoutClientCertificate(http, config(https.withEnvironment(Map.of(
                    "OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/otel/client.key",
                    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/etc/otel/client.pem"))))).isFalse();
            assertThat(SpanExporters.tlsWithoutClientCertificate(http,
                    config(TestSettings.tracing("otlp", "http://tempo:4318", "http/protobuf", 1.0)))).isFalse();
        } finally {
            http.shutdown();
            grpc.shutdown();
        }
    }

    @Test
    void theGenericEndpointOfTheEnvironmentGetsTheSignalPathAndOutranksTheFile() {
        ExportSettings settings = TestSettings.tracing("otlp", "http://file:4318/custom/v1/traces", "http/protobuf", 1.0)
                .withEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://host/otlp"));
        assertThat(SpanExporters.otlpEndpoint(config(settings), false)).isEqualTo("https://host/otlp/v1/traces");
    }

    @Test
    void theEnvironmentGoesOverTheFileAndTracingOffForcesNoExporter() {
        ExportSettings settings = TestSettings.tracing("zipkin", null, "grpc", 0.5)
                .withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp", "OTEL_TRACES_SAMPLER_ARG", "0.25"));
        ConfigProperties config = config(settings);
        assertThat(config.getString("otel.traces.exporter")).isEqualTo("otlp");
        assertThat(config.getDouble("otel.traces.sampler.arg")).isEqualTo(0.25);
        assertThat(config.getString("otel.service.name")).isEqualTo("pg-observer-test");

        // The variable goes over the file's exporter, none included, as the specification says ...
        ExportSettings fileNone = TestSettings.tracing("none", null, "grpc", 1.0)
                .withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp"));
        assertThat(config(fileNone).getString("otel.traces.exporter")).isEqualTo("otlp");
        // ... but tracing switched off exports nothing, whatever the variable says.
        Map<String, String> file = SdkProperties.fromFile(fileNone, false, TestSettings.NO_METRICS);
        Map<String, String> disabled = new HashMap<>(file);
        disabled.putAll(SdkProperties.fromEnvironment(fileNone, false, file, fileNone.environment()));
        assertThat(disabled.get("otel.traces.exporter")).isEqualTo("none");
    }

    @Test
    void aVariableOfTheProcessThatTheHostDidNotPassDoesNotReachTheSdk() {
        // demo folds OTEL_TRACES_EXPORTER=otlp into tracing.exporter=console,otlp and passes the rest on.
        ExportSettings demo = TestSettings.tracing("console,otlp", null, "grpc", 1.0);
        Map<String, String> process = Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317");
        ConfigProperties config = config(demo.withEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://collector:4317")), process);
        assertThat(config.getString("otel.traces.exporter")).isEqualTo("console,otlp");
        assertThat(SpanExporters.otlpEndpoint(config, true)).isEqualTo("http://collector:4317");

        // What the host passed wins over the process's, as ever.
        assertThat(config(demo.withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "zipkin")), process)
                .getString("otel.traces.exporter")).isEqualTo("zipkin");
    }

    @Test
    void aVariableTheHostDidNotPassStaysWhereTheFileHasNoValueOrASystemPropertyDecides() {
        ExportSettings settings = TestSettings.tracing("console", null, "grpc", 1.0);
        Map<String, String> file = SdkProperties.fromFile(settings, true, TestSettings.NO_METRICS);
        // No value of the file's to put back: an empty one would be a value to the SDK, not an unset one.
        assertThat(SdkProperties.fromEnvironment(settings, true, file,
                Map.of("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"))).isEmpty();
        // A -Dotel.* system property goes over both, so the customizer leaves it alone.
        System.setProperty("otel.traces.exporter", "zipkin");
        try {
            assertThat(SdkProperties.fromEnvironment(settings, true, file, Map.of("OTEL_TRACES_EXPORTER", "otlp")))
                    .isEmpty();
        } finally {
            System.clearProperty("otel.traces.exporter");
        }
    }

    @Test
    void headersKeepCommasAndPlusSignsThroughTheSdksDecoding() {
        ExportSettings settings = new ExportSettings("svc", "otlp", null, "grpc", 1.0, null, null,
                Map.of("x-api-key", "a+b,c%d"), false, null, true);
        assertThat(config(settings).getMap("otel.exporter.otlp.headers"))
                .containsEntry("x-api-key", "a%2Bb%2Cc%25d");
    }

    @ParameterizedTest
    @CsvSource({"1.0, false", "0.25, true", "0.0, true"})
    void onlyErrorsKeepsSampledErrorFreeEventsUnlessTheSamplerSamplesEverything(double sampleRate, boolean kept) {
        ExportSettings settings = TestSettings.tracing("otlp", null, "grpc", sampleRate);
        assertThat(OtelSdk.keepsSampledSuccesses(config(settings))).isEqualTo(kept);
        assertThat(OtelSdk.keepsSampledSuccesses(config(settings.withEnvironment(
                Map.of("OTEL_TRACES_SAMPLER", "always_on"))))).isFalse();
        assertThat(OtelSdk.keepsSampledSuccesses(config(settings.withEnvironment(
                Map.of("OTEL_TRACES_SAMPLER", "parentbased_always_off"))))).isTrue();
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "null, http://localhost:9411/api/v2/spans",
        "http://zipkin:9411, http://zipkin:9411/api/v2/spans",
        "http://zipkin:9411/api/v2/spans, http://zipkin:9411/api/v2/spans",
    })
    void zipkinEndpoints(String configured, String expected) {
        assertThat(SpanExporters.zipkinEndpoint(config(TestSettings.tracing("zipkin", configured, "grpc", 1.0))
                .getString(SpanExporters.ZIPKIN_ENDPOINT))).isEqualTo(expected);
    }

    @Test
    void anEndpointWithoutSchemeOrHostIsRefusedWithExamples() {
        assertThatThrownBy(() -> SpanExporters.zipkinEndpoint("zipkin:9411"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'zipkin:9411' is not an http(s) URL")
                .hasMessageContaining("http://localhost:9411/api/v2/spans");
        assertThatThrownBy(() -> config(TestSettings.tracing("otlp", "http://", "grpc", 1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tracing.endpoint");
    }

    /**
     * OTLP/HTTP goes through the JDK's HttpClient, which sets TCP_NODELAY, and not through OkHttp's sender, which
     * does not (a body of several writes then waits ~40 ms on the collector's delayed ACK); gRPC goes through
     * pg-observer's own sender, on OkHttp with TCP_NODELAY, as the JDK has no gRPC sender and OkHttp's takes no socket
     * factory. Asked as the OTLP exporters' builders ask, of the loader autoconfiguration hands them: with the SDK's
     * senders on the class path too, one answer each, so the SDK neither guesses nor warns.
     */
    @Test
    void otlpHttpSendsThroughTheJdkHttpClientAndGrpcThroughPgObserversNoDelaySender() {
        ComponentLoader components = SpanExporters.components(System.out);
        assertThat(SenderUtil.resolveHttpSenderProvider(components).getClass().getName())
                .isEqualTo("io.opentelemetry.exporter.sender.jdk.internal.JdkHttpSenderProvider");
        assertThat(SenderUtil.resolveGrpcSenderProvider(components)).isInstanceOf(NoDelayGrpcSender.Provider.class);
        assertThat(components.load(HttpSenderProvider.class)).hasSize(1);
        assertThat(components.load(GrpcSenderProvider.class)).hasSize(1);
    }

    /** The OTLP exporter the SDK builds for these settings, through the providers pg-observer hands it. */
    private static SpanExporter otlp(ExportSettings settings) {
        for (ConfigurableSpanExporterProvider provider : SpanExporters.components(System.out)
                .load(ConfigurableSpanExporterProvider.class)) {
            if (provider.getName().equals("otlp")) {
                return provider.createExporter(config(settings));
            }
        }
        throw new AssertionError("no otlp exporter provider on the class path");
    }

    /**
     * The SDK's OTLP exporters encode with marshalers they keep (reusable_data): a twelfth of the allocation of
     * immutable_data per export (SpanExportBenchmark). Pinned here, so that an SDK upgrade that changed its default,
     * or a property of pg-observer's that overrode it, shows.
     */
    @ParameterizedTest
    @CsvSource({"grpc", "http/protobuf"})
    void otlpExportersReuseTheirMarshalersUnlessTheVariableSaysOtherwise(String protocol) {
        ExportSettings file = TestSettings.tracing("otlp", null, protocol, 1.0);
        SpanExporter reusing = otlp(file);
        SpanExporter immutable = otlp(file.withEnvironment(Map.of("OTEL_JAVA_EXPORTER_MEMORY_MODE", "immutable_data")));
        try {
            assertThat(reusing.toString()).contains("memoryMode=REUSABLE_DATA");
            assertThat(immutable.toString()).contains("memoryMode=IMMUTABLE_DATA");
        } finally {
            reusing.shutdown();
            immutable.shutdown();
        }
    }
}
