package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What check-config shows is what the SDK was built with, OTEL_* variables over the keys. */
class ExportsInEffectTest {

    private static ExportSettings settings(String exporter, String endpoint, String protocol, Map<String, String> env) {
        return TestSettings.tracing(exporter, endpoint, protocol, 0.25).withEnvironment(env);
    }

    @Test
    void theVariablesGoOverTheKeysAsInTheBuiltSdk() {
        ExportSettings export = settings("console", null, "grpc", Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));

        ExportsInEffect effect = ExportsInEffect.resolve(export);

        assertThat(effect).isEqualTo(new ExportsInEffect("otlp", Map.of("otlp", "http://collector:4317"), "grpc",
                "parentbased_traceidratio", 0.25));
        assertThat(TestSettings.built(export)).containsExactly("otlp grpc http://collector:4317");
    }

    @Test
    void theProtocolVariableAndTheSignalsEndpointToo() {
        ExportSettings export = settings("otlp", "http://file-collector:4317", "grpc", Map.of(
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://user:pw@otlp.example.com/otlp/v1/traces"));

        ExportsInEffect effect = ExportsInEffect.resolve(export);

        assertThat(effect.protocol()).isEqualTo("http/protobuf");
        assertThat(effect.endpoints()).containsExactly(Map.entry("otlp", "https://otlp.example.com/otlp/v1/traces"));
        assertThat(TestSettings.built(export))
                .containsExactly("otlp http/protobuf https://otlp.example.com/otlp/v1/traces");
    }

    @Test
    void severalExportersAndAnotherSampler() {
        ExportSettings export = settings("console,zipkin", "http://zipkin:9411", "grpc",
                Map.of("OTEL_TRACES_SAMPLER", "always_off"));

        ExportsInEffect effect = ExportsInEffect.resolve(export);

        assertThat(effect).isEqualTo(new ExportsInEffect("console,zipkin",
                Map.of("zipkin", "http://zipkin:9411/api/v2/spans"), null, "always_off", null));
        assertThat(effect.render()).containsEntry("endpoint", "http://zipkin:9411/api/v2/spans")
                .containsEntry("protocol", null).doesNotContainKey("sampler_arg");
    }

    @Test
    void theFilesEndpointGoesToTheNetworkExporterTheVariablePicks() {
        // tracing.exporter: console (or --set, or TRACING_EXPORTER) and an endpoint; the variable replaces only
        // the exporter.
        ExportSettings otlp = settings("console", "http://collector:4317", "grpc",
                Map.of("OTEL_TRACES_EXPORTER", "otlp"));
        assertThat(ExportsInEffect.resolve(otlp).endpoints())
                .containsExactly(Map.entry("otlp", "http://collector:4317"));
        assertThat(TestSettings.built(otlp)).containsExactly("otlp grpc http://collector:4317");

        ExportSettings zipkin = settings("console", "http://zipkin:9411", "grpc",
                Map.of("OTEL_TRACES_EXPORTER", "console,zipkin"));
        assertThat(ExportsInEffect.resolve(zipkin).endpoints())
                .containsExactly(Map.entry("zipkin", "http://zipkin:9411/api/v2/spans"));

        // Over HTTP a URL with a path is the traces endpoint, and a generic endpoint of the environment wins.
        ExportSettings http = settings("console", "http://file:4318/custom/v1/traces", "http/protobuf",
                Map.of("OTEL_TRACES_EXPORTER", "otlp"));
        assertThat(ExportsInEffect.resolve(http).endpoints())
                .containsExactly(Map.entry("otlp", "http://file:4318/custom/v1/traces"));
        assertThat(ExportsInEffect.resolve(http.withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "https://host/otlp"))).endpoints())
                .containsExactly(Map.entry("otlp", "https://host/otlp/v1/traces"));
    }

    @Test
    void theFilesEndpointGoesToTheNetworkExporterASystemPropertyPicks() {
        System.setProperty("otel.traces.exporter", "zipkin");
        try {
            assertThat(ExportsInEffect.resolve(settings("otlp", "http://zipkin:9411", "grpc", Map.of())).endpoints())
                    .containsExactly(Map.entry("zipkin", "http://zipkin:9411/api/v2/spans"));
        } finally {
            System.clearProperty("otel.traces.exporter");
        }
    }

    @Test
    void amongSeveralExportersTheVariablePicksTheEndpointIsThatOfTheOneTheFileLists() {
        ExportSettings export = settings("otlp", "http://collector:4317", "grpc",
                Map.of("OTEL_TRACES_EXPORTER", "otlp,zipkin"));
        assertThat(ExportsInEffect.resolve(export).endpoints()).containsExactly(
                Map.entry("otlp", "http://collector:4317"), Map.entry("zipkin", "http://localhost:9411/api/v2/spans"));

        // With none of them in the file the endpoint could be either's.
        assertThatThrownBy(() -> ExportsInEffect.resolve(settings("console", "http://collector:4317", "grpc",
                Map.of("OTEL_TRACES_EXPORTER", "otlp,zipkin"))))
                .hasStackTraceContaining("tracing.endpoint 'http://collector:4317' is ambiguous with exporters"
                        + " otlp,zipkin (OTEL_TRACES_EXPORTER");
    }

    @Test
    void exporterNoneFromTheVariableMeansNothingIsExported() {
        ExportsInEffect effect = ExportsInEffect.resolve(settings("otlp", null, "grpc",
                Map.of("OTEL_TRACES_EXPORTER", "none")));
        assertThat(effect.render()).isEqualTo(Map.of("exporter", "none"));
    }
}
