package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the tracing section warns about and prints for check-config. */
class TracingSectionTest {

    private final TracingSection section = new TracingSection();

    private MapConfigReader read(Map<String, Object> values, Map<String, String> environment) {
        MapConfigReader node = MapConfigReader.tracing(values, environment);
        section.read(node);
        return node;
    }

    @Test
    void anExporterSetWhileTracingIsOffIsAWarningNamingTheSwitch() {
        // As `--set tracing.exporter=console` leaves it, tracing.enabled not set.
        assertThat(read(Map.of("exporter", "console"), Map.of()).warnings()).singleElement().asString()
                .contains("tracing.exporter (console) is set but tracing is off", "tracing.enabled: true",
                        "TRACING_ENABLED=true");
    }

    @Test
    void anExporterAndAnEndpointGiveOneWarning() {
        // ZIPKIN_ENDPOINT sets both keys.
        assertThat(read(Map.of("exporter", "zipkin", "endpoint", "http://zipkin:9411"), Map.of()).warnings())
                .singleElement().asString().contains("tracing.exporter (zipkin) and tracing.endpoint are set");
    }

    @Test
    void noWarningWhenNothingSaysWhereSpansGoOrTracingIsOn() {
        assertThat(read(Map.of("exporter", "none"), Map.of()).warnings()).isEmpty();
        assertThat(read(Map.of("service_name", "orders"), Map.of()).warnings()).isEmpty();
        assertThat(read(Map.of("enabled", "true", "exporter", "console"), Map.of()).warnings()).isEmpty();
    }

    @Test
    void whenOtelSdkDisabledTurnedTracingOffTheWarningSaysSo() {
        assertThat(read(Map.of("enabled", "false", "exporter", "console"), Map.of("OTEL_SDK_DISABLED", "true"))
                .warnings()).singleElement().asString().contains("OTEL_SDK_DISABLED=true", "--set tracing.enabled=true");
    }

    @Test
    void checkConfigShowsTheExporterTheOtelVariableChoseOverTheKey() {
        // OTEL_TRACES_EXPORTER=otlp OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 ... --set tracing.exporter=console
        Map<String, String> environment = Map.of("OTEL_TRACES_EXPORTER", "otlp",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317");
        MapConfigReader node = MapConfigReader.tracing(Map.of("enabled", "true", "exporter", "console"), environment);
        Map<String, Object> printed = section.render(section.read(node));

        assertThat(printed).containsEntry("exporter", "console");
        assertThat(printed.get("in_effect")).isEqualTo(Map.of("exporter", "otlp", "endpoint", "http://localhost:4317",
                "protocol", "grpc", "sampler", "parentbased_traceidratio", "sampler_arg", 1.0));
    }

    @Test
    void withTracingOffNothingIsInEffect() {
        Map<String, Object> printed = section.render(section.read(MapConfigReader.tracing(Map.of("exporter", "console"),
                Map.of("OTEL_TRACES_EXPORTER", "otlp"))));
        assertThat(printed).doesNotContainKey("in_effect");
    }
}
