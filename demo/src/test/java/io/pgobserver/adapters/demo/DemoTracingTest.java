package io.pgobserver.adapters.demo;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo keeps its console trees and adds the backend the usual variables name. */
class DemoTracingTest {

    @Test
    void aZipkinEndpointAddsZipkinBesideTheConsole() {
        assertThat(DemoConfiguration.consoleBeside("zipkin", Map.of())).isEqualTo("zipkin,console");
    }

    @Test
    void anOtlpEndpointAddsOtlp() {
        assertThat(DemoConfiguration.consoleBeside("console",
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"))).isEqualTo("console,otlp");
    }

    @Test
    void otelTracesExporterJoinsTheConsoleInsteadOfReplacingIt() {
        assertThat(DemoConfiguration.consoleBeside("console", Map.of("OTEL_TRACES_EXPORTER", "zipkin,logging")))
                .isEqualTo("console,zipkin");
    }

    @Test
    void withNothingSetOnlyTheConsolePrints() {
        assertThat(DemoConfiguration.consoleBeside("console", Map.of())).isEqualTo("console");
        assertThat(DemoConfiguration.consoleBeside("none", Map.of())).isEqualTo("console");
    }

    @Test
    void theModuleAddsTheDemoCommandAndBindsNothing() {
        DemoModule module = new DemoModule();
        assertThat(module.commands(null)).singleElement().isInstanceOf(DemoCommand.class);
        assertThat(module.sections()).isEmpty();
        assertThat(com.google.inject.Guice.createInjector(module).getAllBindings().keySet())
                .noneMatch(k -> k.getTypeLiteral().getRawType().getName().startsWith("io.pgobserver"));
    }
}
