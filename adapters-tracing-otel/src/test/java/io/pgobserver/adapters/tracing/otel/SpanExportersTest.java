package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpanExportersTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "grpc, null, http://localhost:4317",
        "http/protobuf, null, http://localhost:4318/v1/traces",
        "grpc, http://tempo:4317, http://tempo:4317",
        "http/protobuf, http://tempo:4318, http://tempo:4318/v1/traces",
        "http/protobuf, http://tempo:4318/, http://tempo:4318/v1/traces",
        "http/protobuf, https://otlp.example.com/otlp/v1/traces, https://otlp.example.com/otlp/v1/traces",
    })
    void otlpEndpoints(String protocol, String configured, String expected) {
        assertThat(SpanExporters.otlpEndpoint(TestSettings.tracing("otlp", configured, protocol, 1.0)))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "null, http://localhost:9411/api/v2/spans",
        "http://zipkin:9411, http://zipkin:9411/api/v2/spans",
        "http://zipkin:9411/api/v2/spans, http://zipkin:9411/api/v2/spans",
    })
    void zipkinEndpoints(String configured, String expected) {
        assertThat(SpanExporters.zipkinEndpoint(TestSettings.tracing("zipkin", configured, "grpc", 1.0)))
                .isEqualTo(expected);
    }

    @Test
    void anEndpointWithoutSchemeOrHostIsRefusedWithExamples() {
        assertThatThrownBy(() -> SpanExporters.zipkinEndpoint(TestSettings.tracing("zipkin", "zipkin:9411", "grpc", 1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tracing.endpoint 'zipkin:9411' is not an http(s) URL")
                .hasMessageContaining("http://localhost:9411/api/v2/spans");
        assertThatThrownBy(() -> SpanExporters.otlpEndpoint(TestSettings.tracing("otlp", "http://", "grpc", 1.0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void otlpHttpGetsOnlyTheJdkSenderWhileGrpcKeepsOkHttp() {
        // Both senders are on the class path: without the filter OTLP/HTTP would pick one by class path order.
        assertThat(ComponentLoader.loadList(ComponentLoader.forClassLoader(getClass().getClassLoader()),
                HttpSenderProvider.class)).hasSize(2);
        assertThat(ComponentLoader.loadList(SpanExporters.JDK_HTTP_ONLY, HttpSenderProvider.class))
                .singleElement().extracting(p -> p.getClass().getSimpleName()).isEqualTo("JdkHttpSenderProvider");
        assertThat(ComponentLoader.loadList(SpanExporters.JDK_HTTP_ONLY, GrpcSenderProvider.class))
                .singleElement().extracting(p -> p.getClass().getSimpleName()).isEqualTo("OkHttpGrpcSenderProvider");
    }
}
