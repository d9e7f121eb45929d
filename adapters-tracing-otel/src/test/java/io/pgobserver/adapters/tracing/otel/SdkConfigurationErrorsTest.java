package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SDK's configuration errors say what is wrong and how to fix it, never the value that may be a key. */
class SdkConfigurationErrorsTest {

    private static OtelSdk build(ExportSettings export) {
        return OtelSdk.create(TestSettings.ON, export, TestSettings.NO_METRICS, System.out);
    }

    @Test
    void anEndpointsQueryStringIsNamedWithItsFixButNotShown() {
        ExportSettings file = TestSettings.tracing("otlp",
                "https://user:pw@otlp.example.com:4318/otlp?apikey=SECRETQ", "http/protobuf", 1.0);

        assertThatThrownBy(() -> build(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not have a query string")
                .hasMessageContaining("tracing.headers").hasMessageContaining("OTEL_EXPORTER_OTLP_HEADERS")
                .hasMessageNotContaining("SECRETQ").hasMessageNotContaining("apikey").hasMessageNotContaining("pw@")
                .hasNoCause();
    }

    @Test
    void theSameForTheTracesEndpointVariable() {
        ExportSettings environment = TestSettings.tracing("otlp", null, "http/protobuf", 1.0)
                .withEnvironment(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector:4318/v1/traces?sig=S1GNATURE"));

        assertThatThrownBy(() -> build(environment)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not have a query string")
                .hasMessageContaining("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                .hasMessageNotContaining("S1GNATURE").hasMessageNotContaining("sig=");
    }

    @Test
    void aHeaderValueTheSdkCannotReadIsNotEchoed() {
        ExportSettings environment = TestSettings.tracing("otlp", null, "grpc", 1.0)
                .withEnvironment(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key"));
        // The SDK reads "x-api-key" (no '=') as an invalid map: its message is "Invalid map property: name=value".
        assertThat(SdkConfigurationErrors.message("Invalid map property: otel.exporter.otlp.headers=authorization"
                + " Bearer T0KEN")).isEqualTo("Invalid map property: otel.exporter.otlp.headers (value not shown:"
                + " it may hold a secret)");
        assertThatThrownBy(() -> build(environment)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("otel.exporter.otlp.headers").hasMessageNotContaining("x-api-key");
    }

    @Test
    void aValueErrorKeepsItsExpectedTypeButNotTheValue() {
        assertThat(SdkConfigurationErrors.message("Invalid value for property otel.bsp.schedule.delay=s3cr3t. Must"
                + " be a long.")).isEqualTo("Invalid value for property otel.bsp.schedule.delay (value not shown: it"
                + " may hold a secret). Must be a long.");
    }

    @Test
    void otherEndpointProblemsShowTheValueRedacted() {
        assertThat(SdkConfigurationErrors.message("OTLP endpoint must be a valid URL: https://u:p@host:x/"))
                .startsWith("OTLP endpoint must be a valid URL (tracing.endpoint,").doesNotContain("u:p");
        assertThat(SdkConfigurationErrors.message("OTLP endpoint must not have a fragment: token=abc"))
                .contains("fragment").doesNotContain("abc");
    }
}
