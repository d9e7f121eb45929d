package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExportSettingsTest {

    private static ExportSettings withExporter(String exporter) {
        return new ExportSettings("svc", exporter, null, "grpc", 1.0, null, null, null, false, null, true);
    }

    private static ExportSettings withHeaders(Map<String, String> headers) {
        return new ExportSettings("svc", "otlp", null, "grpc", 1.0, null, null, headers, false, null, true);
    }

    @Test
    void oneExporterOrSeveralAsAList() {
        assertThat(withExporter("zipkin").exporters()).containsExactly("zipkin");
        assertThat(withExporter(" Console , ZIPKIN ").exporters()).containsExactly("console", "zipkin");
        assertThat(withExporter(" Console , ZIPKIN ").exporter()).isEqualTo("console,zipkin");
        assertThat(withExporter(null).exporters()).containsExactly("otlp");
    }

    @Test
    void noneExportsNothing() {
        assertThat(withExporter("none").exports()).isFalse();
        assertThat(withExporter("console,otlp").exports()).isTrue();
        assertThat(withExporter("none").exporters()).isEqualTo(List.of("none"));
    }

    @Test
    void otelTracesExporterDecidesWhetherSpansGoAnywhere() {
        assertThat(new ExportSettings("svc", "otlp", null, "grpc", 1.0, null, null, null, false,
                Map.of("OTEL_TRACES_EXPORTER", "none"), true).exports()).isFalse();
        assertThat(new ExportSettings("svc", "none", null, "grpc", 1.0, null, null, null, false,
                Map.of("OTEL_TRACES_EXPORTER", "otlp"), true).exports()).isTrue();
    }

    @Test
    void serviceNameFromResourceAttributesUnlessTheFileNamesOne() {
        Map<String, String> env = Map.of("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod, service.name=billing");
        ExportSettings byDefault = new ExportSettings(ExportSettings.DEFAULT_SERVICE_NAME, "otlp", null, "grpc", 1.0,
                null, null, null, false, env, true);
        assertThat(SdkProperties.fromFile(byDefault, true, TestSettings.NO_METRICS)).doesNotContainKey(
                "otel.service.name");
        ExportSettings named = new ExportSettings("orders", "otlp", null, "grpc", 1.0, null, null, null, false, env, true);
        assertThat(SdkProperties.fromFile(named, true, TestSettings.NO_METRICS)).containsEntry("otel.service.name",
                "orders");
        assertThat(SdkProperties.fromFile(withExporter("otlp"), true, TestSettings.NO_METRICS))
                .containsEntry("otel.service.name", "svc");
    }

    @Test
    void badListsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> withExporter("otlp,jaegr")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tracing.exporter 'jaegr' is not one of");
        assertThatThrownBy(() -> withExporter("zipkin,zipkin")).hasMessageContaining("lists 'zipkin' twice");
        assertThatThrownBy(() -> withExporter("none,console")).hasMessageContaining("'none' cannot be combined");
        assertThatThrownBy(() -> withExporter("otlp,")).hasMessageContaining("tracing.exporter '' is not one of");
    }

    @Test
    void batchSizesAreCheckedAgainstEachOther() {
        assertThatThrownBy(() -> new ExportSettings.Batch(100, 512, java.time.Duration.ofSeconds(1)))
                .hasMessageContaining("tracing.batch.max_export_batch_size (512) must not exceed "
                        + "tracing.batch.max_queue_size (100)");
    }

    @Test
    void headersAreKeptButNeverPrinted() {
        ExportSettings settings = withHeaders(Map.of("x-api-key", "s3cr3t-value"));
        assertThat(settings.headers()).containsEntry("x-api-key", "s3cr3t-value");
        assertThat(settings.toString()).contains("x-api-key=****").doesNotContain("s3cr3t-value");
        assertThat(withExporter("otlp").headers()).isEmpty();
        assertThatThrownBy(() -> withHeaders(Map.of("bad name", "v")))
                .hasMessageContaining("tracing.headers name 'bad name'");
    }
}
