package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SDK's configuration errors, from the real SDK, as one line: the variable and its value as the user set them,
 * what is wrong and the fix, never the value that may be a key.
 */
class SdkConfigurationErrorsTest {

    private static OtelSdk build(ExportSettings export) {
        return OtelSdk.create(TestSettings.ON, export, TestSettings.NO_METRICS, System.out);
    }

    /** The message the SDK's refusal of these variables gives, over an OTLP exporter set up in the file. */
    private static String refused(Map<String, String> variables) {
        ExportSettings environment = TestSettings.tracing("otlp", null, "grpc", 1.0).withEnvironment(variables);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> build(environment).stop());
        assertThat(thrown).as("refused: %s", variables).isInstanceOf(IllegalArgumentException.class).hasNoCause();
        assertThat(thrown.getMessage()).doesNotContain("\n").doesNotContain("otel.");
        return thrown.getMessage();
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
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector:4318/v1/traces?sig=S1GNATURE",
                "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")))
                .contains("must not have a query string").contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                .doesNotContain("S1GNATURE").doesNotContain("sig=");
    }

    @Test
    void aHeaderWithoutEqualsNamesTheVariableAndTheFormButNotTheValue() {
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_HEADERS=(value not shown: it may hold a secret) is not a list of key=value pairs:"
                        + " write them comma-separated (k1=v1,k2=v2), percent-encoding a ',' or '%' inside a value"
                        + " (%2C, %25)");
    }

    @Test
    void aHeaderValueThatIsNotPercentEncodedRightIsNamedWithoutTheValue() {
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=50%off"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_HEADERS=(value not shown: it may hold a secret) has a value that is not"
                        + " percent-encoded right (header x-api-key): a '%' must start %XX, such as %20 for a space;"
                        + " write a '%' itself as %25");
    }

    @Test
    void aSecondPrometheusServerFromTheSdkIsRefusedBeforeItOpensItsPort() {
        assertThat(refused(Map.of("OTEL_METRICS_EXPORTER", "otlp,prometheus"))).isEqualTo(
                "OTEL_METRICS_EXPORTER=otlp,prometheus would start the OpenTelemetry SDK's own Prometheus server beside"
                        + " pg-observer's: unset it (or keep otlp alone), and for a scrape endpoint set"
                        + " metrics.enabled: true with metrics.exporter: prometheus (the default; metrics.port)");
        assertThat(refused(Map.of("OTEL_METRICS_EXPORTER", "statsd"))).isEqualTo("OTEL_METRICS_EXPORTER=statsd is not"
                + " known: use otlp, logging or none (a scrape endpoint is metrics.exporter: prometheus)");
    }

    @Test
    void aPrometheusServerAskedForWithASystemPropertyIsRefusedNamingIt() {
        // -Dotel.metrics.exporter outranks the variable and the file in the SDK: it opened its server as well.
        System.setProperty("otel.metrics.exporter", "prometheus");
        try {
            ExportSettings file = TestSettings.tracing("otlp", null, "grpc", 1.0);
            assertThatThrownBy(() -> build(file).stop()).isInstanceOf(IllegalArgumentException.class).hasNoCause()
                    .hasMessageStartingWith("-Dotel.metrics.exporter=prometheus would start the OpenTelemetry SDK's"
                            + " own Prometheus server beside pg-observer's: unset it");
        } finally {
            System.clearProperty("otel.metrics.exporter");
        }
    }

    @Test
    void aSamplerArgThatIsNoNumberIsShownWithTheRatioToGive() {
        assertThat(refused(Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "abc")))
                .isEqualTo("OTEL_TRACES_SAMPLER_ARG=abc is not a number: give a ratio from 0.0 to 1.0 (0.5 samples"
                        + " half the new traces)");
        assertThat(refused(Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2")))
                .startsWith("OTEL_TRACES_SAMPLER_ARG=2 is out of range: give a ratio from 0.0 to 1.0");
    }

    @Test
    void anUnknownExporterProtocolSamplerOrPropagatorListsWhatIsKnown() {
        assertThat(refused(Map.of("OTEL_TRACES_EXPORTER", "jaegr"))).isEqualTo(
                "OTEL_TRACES_EXPORTER=jaegr is not known: use otlp, jaeger, zipkin, console or none (several"
                        + " comma-separated)");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_PROTOCOL=http/json is not a protocol the OpenTelemetry Java SDK speaks: use grpc"
                        + " or http/protobuf");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc2", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
                .startsWith("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc2 is not a protocol");
        assertThat(refused(Map.of("OTEL_TRACES_SAMPLER", "ratio"))).startsWith("OTEL_TRACES_SAMPLER=ratio is not known:"
                + " use always_on,");
        assertThat(refused(Map.of("OTEL_PROPAGATORS", "b3mutli"))).startsWith("OTEL_PROPAGATORS=b3mutli is not known:"
                + " use tracecontext, baggage, b3, b3multi");
    }

    @Test
    void aMalformedEndpointIsNamedWithAUrlToWrite() {
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_ENDPOINT=collector:4317: the OTLP endpoint must be a valid URL: write a URL such"
                        + " as http://collector:4317 (grpc) or http://collector:4318 (http/protobuf), https:// for TLS");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector:4317")))
                .startsWith("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=ftp://collector:4317: the OTLP endpoint scheme must be"
                        + " http or https");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4317/v1/traces")))
                .startsWith("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://collector:4317/v1/traces: over grpc an OTLP"
                        + " endpoint is a scheme, host and port only");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://u:pw@collector:x/")))
                .doesNotContain("pw");
    }

    @Test
    void aCertificateThatIsMissingOrNotPemIsNamed(@TempDir Path dir) throws IOException {
        Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
                "OTEL_EXPORTER_OTLP_CERTIFICATE", "/no/such/ca.pem"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_CERTIFICATE=/no/such/ca.pem: no such file, or not readable: give the path of a"
                        + " PEM file pg-observer can read");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
                "OTEL_EXPORTER_OTLP_CERTIFICATE", notPem.toString())))
                .startsWith("OTEL_EXPORTER_OTLP_CERTIFICATE=" + notPem + " is not a PEM certificate: give the");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317",
                "OTEL_EXPORTER_OTLP_CLIENT_KEY", notPem.toString(),
                "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", notPem.toString())))
                .startsWith("OTEL_EXPORTER_OTLP_CLIENT_KEY=" + notPem + " and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE="
                        + notPem + " are not a PEM key and certificate");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_CLIENT_KEY", notPem.toString())))
                .endsWith("set OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE together");
    }

    @Test
    void aCompressionOrTimeoutTheExporterCannotTakeIsNamed() {
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_COMPRESSION=zstd is not a compression the exporter knows: use gzip or none");
        assertThat(refused(Map.of("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "5q"))).isEqualTo(
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=5q is not a duration: give milliseconds (10000) or a number and a"
                        + " unit (10s, 500ms)");
    }

    @Test
    void anErrorTheWordingDoesNotPlaceStaysTheSdksRedacted() {
        assertThat(SdkConfigurationErrors.message("Something new: https://u:p@host/x",
                new SdkSettingSources(Map.of()))).startsWith("OpenTelemetry configuration: Something new:")
                .doesNotContain("u:p");
    }

    @Test
    void anUnknownExporterMemoryModeNamesTheVariableAndItsTwoValues() {
        assertThat(refused(Map.of("OTEL_JAVA_EXPORTER_MEMORY_MODE", "fast")))
                .contains("OTEL_JAVA_EXPORTER_MEMORY_MODE=fast").contains("reusable_data").contains("immutable_data");
    }
}
