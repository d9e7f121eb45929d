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
    void aZipkinEndpointLinksTraceIdsToZipkinsUi() {
        assertThat(DemoConfiguration.traceLinks(Map.of("ZIPKIN_ENDPOINT", "http://zipkin.local:9411/api/v2/spans")))
                .contains("http://zipkin.local:9411/zipkin/traces/{trace_id}");
    }

    @Test
    void aJaegerEndpointLinksTraceIdsToJaegersUiOnItsHost() {
        assertThat(DemoConfiguration.traceLinks(Map.of("JAEGER_ENDPOINT", "http://jaeger:4317")))
                .contains("http://jaeger:16686/trace/{trace_id}");
    }

    @Test
    void theUsersOwnLinkAnOtlpEndpointOrABadUrlGuessNothing() {
        assertThat(DemoConfiguration.traceLinks(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411/api/v2/spans",
                "CONSOLE_TRACE_URL", "https://ui.example.com/t/{trace_id}"))).isEmpty();
        assertThat(DemoConfiguration.traceLinks(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317")))
                .isEmpty();
        assertThat(DemoConfiguration.traceLinks(Map.of("ZIPKIN_ENDPOINT", "zipkin:9411"))).isEmpty();
        assertThat(DemoConfiguration.traceLinks(Map.of())).isEmpty();
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
