package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

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

    @Test
    void theBatchVariablesTheSdkReadsAreHeldToTheBoundsOfTheKeysTheyGoOver() {
        assertThat(refused(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "0"))).isEqualTo("OTEL_BSP_MAX_QUEUE_SIZE=0 is out of"
                + " range: it must be between 1 and 10000000, as tracing.batch.max_queue_size, which it goes over. Set it"
                + " within that range, or unset it and set tracing.batch.max_queue_size");
        assertThat(refused(Map.of("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "20000000"))).startsWith(
                "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=20000000 is out of range: it must be between 1 and 10000000, as"
                        + " tracing.batch.max_export_batch_size");
        assertThat(refused(Map.of("OTEL_BSP_SCHEDULE_DELAY", "5"))).isEqualTo("OTEL_BSP_SCHEDULE_DELAY=5 (5ms) is out of"
                + " range: it must be between 10ms and 1m (as tracing.batch.schedule_delay, which it goes over). Write"
                + " milliseconds, or a number and a unit (5000 or 5s), within that range, or unset it");
        assertThat(refused(Map.of("OTEL_BSP_SCHEDULE_DELAY", "2m"))).startsWith("OTEL_BSP_SCHEDULE_DELAY=2m (2m) is out");
        assertThat(refused(Map.of("OTEL_BSP_EXPORT_TIMEOUT", "0"))).startsWith("OTEL_BSP_EXPORT_TIMEOUT=0 (0s) is out of"
                + " range: it must be between 1s and 5m (how long the batch processor waits for an export; no file key");
        assertThat(refused(Map.of("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"))).isEqualTo("OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096"
                + " must not exceed the span queue's size, tracing.batch.max_queue_size (2048), as"
                + " tracing.batch.max_export_batch_size, which it goes over, must not: lower it, or raise the queue's size");
        assertThat(refused(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "100", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200")))
                .contains("must not exceed the span queue's size, OTEL_BSP_MAX_QUEUE_SIZE=100");
    }

    @Test
    void batchVariablesWithinTheBoundsOrNoNumberAtAllAreLeftToTheSdk() {
        // A queue below the file's batch size is the specification's to allow: the SDK sends batches of the queue's size.
        for (Map<String, String> fine : List.of(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "256"),
                Map.of("OTEL_BSP_SCHEDULE_DELAY", "100", "OTEL_BSP_EXPORT_TIMEOUT", "30s"),
                Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "", "OTEL_BSP_SCHEDULE_DELAY", "soon"))) {
            assertThat(read(Map.of("enabled", "true", "exporter", "console"), fine).warnings()).as("%s", fine).isEmpty();
        }
    }

    private String refused(Map<String, String> environment) {
        Throwable refused = catchThrowable(() -> read(Map.of("enabled", "true", "exporter", "console"), environment));
        assertThat(refused).isInstanceOf(IllegalArgumentException.class);
        return refused.getMessage();
    }
}
