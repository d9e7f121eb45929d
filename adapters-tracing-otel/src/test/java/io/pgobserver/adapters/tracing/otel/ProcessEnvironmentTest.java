package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The environment the host passes is the environment, though the SDK reads the process's itself. Runs in a process
 * with {@code OTEL_TRACES_EXPORTER=otlp} (the pom's {@code process-environment} execution), as {@code demo} runs
 * when it folds that variable into {@code tracing.exporter} and passes the rest on.
 */
@EnabledIfEnvironmentVariable(named = "OTEL_TRACES_EXPORTER", matches = "otlp")
class ProcessEnvironmentTest {

    @Test
    void aVariableOfTheProcessThatTheHostDidNotPassDoesNotChooseTheExporters() {
        ExportSettings demo = TestSettings.tracing("console,otlp", "http://collector:4317", "grpc", 1.0);

        assertThat(ExportsInEffect.resolve(demo).exporter()).isEqualTo("console,otlp");
        assertThat(TestSettings.built(demo)).containsExactly("console", "otlp grpc http://collector:4317");
    }

    @Test
    void theVariableTheHostPassesStillGoesOverTheFile() {
        ExportSettings passed = TestSettings.tracing("console", null, "grpc", 1.0)
                .withEnvironment(Map.of("OTEL_TRACES_EXPORTER", "otlp"));

        assertThat(ExportsInEffect.resolve(passed).exporter()).isEqualTo("otlp");
    }
}
