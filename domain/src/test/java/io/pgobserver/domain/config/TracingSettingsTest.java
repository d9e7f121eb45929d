package io.pgobserver.domain.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TracingSettingsTest {

    private static TracingSettings withExporter(String exporter) {
        return new TracingSettings(true, "svc", exporter, null, "grpc", 1.0, 2048, 512, Duration.ofSeconds(5),
                null, null, null, null);
    }

    @Test
    void oneExporterOrSeveralAsAList() {
        assertThat(withExporter("zipkin").exporters()).containsExactly("zipkin");
        assertThat(withExporter(" Console , ZIPKIN ").exporters()).containsExactly("console", "zipkin");
        assertThat(withExporter(" Console , ZIPKIN ").exporter()).isEqualTo("console,zipkin");
        assertThat(withExporter(null).exporters()).containsExactly("otlp");
    }

    @Test
    void noneMeansInactive() {
        assertThat(withExporter("none").active()).isFalse();
        assertThat(withExporter("console,otlp").active()).isTrue();
        assertThat(withExporter("none").exporters()).isEqualTo(List.of("none"));
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
    void headersAreKeptButNeverPrinted() {
        TracingSettings settings = new TracingSettings(true, "svc", "otlp", null, "grpc", 1.0, 2048, 512,
                Duration.ofSeconds(5), null, null, null, null, java.util.Map.of("x-api-key", "s3cr3t-value"));
        assertThat(settings.headers()).containsEntry("x-api-key", "s3cr3t-value");
        assertThat(settings.toString()).contains("x-api-key=****").doesNotContain("s3cr3t-value");
        assertThat(withExporter("otlp").headers()).isEmpty();
        assertThatThrownBy(() -> new TracingSettings(true, "svc", "otlp", null, "grpc", 1.0, 2048, 512,
                Duration.ofSeconds(5), null, null, null, null, java.util.Map.of("bad name", "v")))
                .hasMessageContaining("tracing.headers name 'bad name'");
    }
}
