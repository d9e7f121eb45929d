package io.pgobserver.bootstrap.demo;

import io.pgobserver.domain.config.TracingSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo keeps its console trees and adds the backend the usual variables name. */
class DemoTracingTest {

    private static TracingSettings console() {
        return new TracingSettings(true, "pg-observer-demo", "console", null, "grpc", 1.0, 2048, 512,
                java.time.Duration.ofSeconds(5), null, null, null, null);
    }

    @Test
    void aZipkinEndpointAddsZipkinBesideTheConsole() {
        TracingSettings fromEnv = new TracingSettings(true, "pg-observer-demo", "zipkin",
                "http://localhost:9411/api/v2/spans", "grpc", 1.0, 2048, 512, java.time.Duration.ofSeconds(5), null,
                null, null, null);
        TracingSettings demo = DemoConfiguration.withConsole(fromEnv, Map.of());
        assertThat(demo.exporters()).containsExactly("zipkin", "console");
        assertThat(demo.endpoint()).isEqualTo("http://localhost:9411/api/v2/spans");
    }

    @Test
    void anOtlpEndpointAddsOtlp() {
        TracingSettings demo = DemoConfiguration.withConsole(console(),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"));
        assertThat(demo.exporters()).containsExactly("console", "otlp");
    }

    @Test
    void withNothingSetOnlyTheConsolePrints() {
        assertThat(DemoConfiguration.withConsole(console(), Map.of()).exporters()).containsExactly("console");
        TracingSettings none = new TracingSettings(true, "svc", "none", null, "grpc", 1.0, 2048, 512,
                java.time.Duration.ofSeconds(5), null, null, null, null);
        assertThat(DemoConfiguration.withConsole(none, Map.of()).exporters()).containsExactly("console");
    }

    @Test
    void otelTracesExporterJoinsTheConsoleInsteadOfReplacingIt() {
        TracingSettings fromEnv = console().withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_SERVICE_NAME", "demo"));
        TracingSettings demo = DemoConfiguration.withConsole(fromEnv, Map.of());
        assertThat(demo.exporters()).containsExactly("console", "otlp");
        assertThat(demo.environment()).containsOnlyKeys("OTEL_SERVICE_NAME");
    }
}
