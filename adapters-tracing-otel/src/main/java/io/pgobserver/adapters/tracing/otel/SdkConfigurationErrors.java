package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.pgobserver.domain.observer.Urls;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenTelemetry SDK's configuration errors as one line for the user: the setting as they wrote it
 * ({@code OTEL_TRACES_SAMPLER_ARG=abc}, found by {@link SdkSettingSources}), what is wrong with it, and the fix. The
 * SDK names properties ({@code otel.traces.sampler.arg}), hides what its builders threw behind "Unexpected
 * configuration error" (a certificate that is not PEM, an unknown compression), and echoes values where users put
 * API keys (headers, an endpoint's query): those are never shown.
 */
final class SdkConfigurationErrors {

    private static final String ENDPOINTS =
            "tracing.endpoint, OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    private static final String URL_FIX = "write a URL such as http://collector:4317 (grpc) or"
            + " http://collector:4318 (http/protobuf), https:// for TLS";
    private static final String RATIO_FIX = "give a ratio from 0.0 to 1.0 (0.5 samples half the new traces)";
    private static final Pattern UNRECOGNIZED = Pattern.compile("Unrecognized value for (otel\\.[a-z.]+): .*");
    private static final Pattern PROTOCOL = Pattern.compile("Unsupported OTLP (traces|metrics) protocol: .*");
    private static final Pattern ENDPOINT = Pattern.compile("OTLP endpoint ([^:]+): (.*)");
    private static final Pattern PROPERTY = Pattern.compile(
            "Invalid (map|duration|value for) property:? (otel\\.[a-z.]+)(?:=.*?)?(?:\\. Must be an? (\\w+)\\.)?");
    private static final Map<String, String> CHOICES = Map.of(
            "otel.traces.exporter", "use otlp, jaeger, zipkin, console or none (several comma-separated)",
            "otel.metrics.exporter", "use otlp, logging or none (a scrape endpoint is metrics.exporter: prometheus)",
            "otel.propagators", "use tracecontext, baggage, b3, b3multi, jaeger or ottrace (several comma-separated)",
            "otel.traces.sampler", "use always_on, always_off, traceidratio, parentbased_always_on,"
                    + " parentbased_always_off or parentbased_traceidratio");

    private SdkConfigurationErrors() {
    }

    /** The SDK's error as a configuration error for the user; not chained to it (its message holds the value). */
    static IllegalArgumentException of(ConfigurationException e, Map<String, String> environment) {
        String sdk = e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null
                && (sdk == null || sdk.startsWith("Unexpected configuration error"))) {
            sdk = e.getCause().getMessage();
        }
        return new IllegalArgumentException(message(sdk, new SdkSettingSources(environment)));
    }

    static String message(String sdk, SdkSettingSources sources) {
        if (sdk == null) {
            return "OpenTelemetry configuration: rejected by the OpenTelemetry SDK (check the OTEL_* variables and"
                    + " the tracing section)";
        }
        Matcher m;
        if ((m = UNRECOGNIZED.matcher(sdk)).matches()) {
            return sources.named(m.group(1)) + " is not known: " + CHOICES.getOrDefault(m.group(1),
                    "see the OpenTelemetry SDK's configuration for the values it takes");
        }
        if ((m = PROTOCOL.matcher(sdk)).matches()) {
            return sources.named(SdkSettingSources.otlp(m.group(1), "protocol"), null)
                    + " is not a protocol the OpenTelemetry Java SDK speaks: use grpc or http/protobuf";
        }
        if ((m = ENDPOINT.matcher(sdk)).matches()) {
            return endpoint(m.group(1), m.group(2), sources);
        }
        if ((m = PROPERTY.matcher(sdk)).matches()) {
            return property(m.group(1), m.group(2), m.group(3), sources);
        }
        return special(sdk, sources);
    }

    private static String endpoint(String problem, String value, SdkSettingSources sources) {
        List<String> endpoints = List.of("otel.exporter.otlp.traces.endpoint",
                "otel.exporter.otlp.metrics.endpoint", "otel.exporter.otlp.endpoint");
        if (problem.endsWith("query string")) {
            return "The OTLP endpoint (" + ENDPOINTS + ") must not have a query string: remove the query (not shown:"
                    + " it may hold a key) and send credentials as headers instead, with tracing.headers or"
                    + " OTEL_EXPORTER_OTLP_HEADERS";
        }
        if (problem.endsWith("fragment")) {
            return "The OTLP endpoint (" + ENDPOINTS + ") must not have a fragment: remove the #fragment (not shown:"
                    + " it may hold a key)";
        }
        String named = sources.named(endpoints, value);
        if (problem.endsWith("have a path")) {
            return named + ": over grpc an OTLP endpoint is a scheme, host and port only (http://collector:4317);"
                    + " remove the path " + value + ", or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf to post to it";
        }
        return named + (named.contains("=") ? "" : " " + Urls.redactIn(value)) + ": the OTLP endpoint " + problem
                + ": " + URL_FIX;
    }

    private static String property(String kind, String property, String type, SdkSettingSources sources) {
        String named = sources.named(property);
        if (kind.equals("map")) {
            return named + " is not a list of key=value pairs: write them comma-separated (k1=v1,k2=v2),"
                    + " percent-encoding a ',' or '%' inside a value (%2C, %25)";
        }
        if (kind.equals("duration")) {
            return named + " is not a duration: give milliseconds (10000) or a number and a unit (10s, 500ms)";
        }
        if (property.equals("otel.traces.sampler.arg")) {
            return named + " is not a number: " + RATIO_FIX;
        }
        return named + " is not " + (type == null ? "a value the SDK takes" : "a " + type) + ": correct or unset it";
    }

    /** What the SDK's builders threw, which names no property: the setting is found by the wording. */
    private static String special(String sdk, SdkSettingSources sources) {
        if (sdk.startsWith("Invalid OTLP certificate/key path: ")) {
            String path = sdk.substring(sdk.indexOf(": ") + 2);
            return sources.named(tls(), path) + ": no such file, or not readable: give the path of a PEM file"
                    + " pg-observer can read";
        }
        if (sdk.contains("X509TrustManager")) {
            return sources.named(SdkSettingSources.otlp("traces", "certificate"), null) + " is not a PEM certificate:"
                    + " give the certificate of the collector's CA (or its own, when self-signed) as PEM"
                    + " (-----BEGIN CERTIFICATE-----)";
        }
        if (sdk.contains("X509KeyManager")) {
            return sources.named(SdkSettingSources.otlp("traces", "client.key"), null) + " and "
                    + sources.named(SdkSettingSources.otlp("traces", "client.certificate"), null)
                    + " are not a PEM key and certificate: give the client's unencrypted PKCS#8 key"
                    + " (-----BEGIN PRIVATE KEY-----) and its certificate (-----BEGIN CERTIFICATE-----)";
        }
        if (sdk.startsWith("client key provided without") || sdk.startsWith("client certificate provided without")) {
            return sdk + ": set OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE together";
        }
        if (sdk.startsWith("Cannot decode header value for header: ")) {
            return sources.named(SdkSettingSources.otlp("traces", "headers"), null) + " has a value that is not"
                    + " percent-encoded right (header " + sdk.substring(sdk.indexOf(": ") + 2) + "): a '%' must start"
                    + " %XX, such as %20 for a space; write a '%' itself as %25";
        }
        if (sdk.startsWith("Unrecognized memory mode: ")) {
            return sources.named("otel.java.exporter.memory_mode") + " is not a memory mode the exporters know: use"
                    + " reusable_data (the default) or immutable_data";
        }
        if (sdk.startsWith("Unsupported compressionMethod")) {
            return sources.named(SdkSettingSources.otlp("traces", "compression"), null)
                    + " is not a compression the exporter knows: use gzip or none";
        }
        if (sdk.startsWith("ratio must be in range")) {
            return sources.named("otel.traces.sampler.arg") + " is out of range: " + RATIO_FIX;
        }
        if (sdk.equals("timeout < 0")) {
            return sources.named(SdkSettingSources.otlp("traces", "timeout"), null)
                    + " is negative: give 0 (no limit) or more, in milliseconds (10000) or with a unit (10s)";
        }
        return "OpenTelemetry configuration: " + Urls.redactIn(sdk)
                + " (check the OTEL_* variables and the tracing section)";
    }

    /** The TLS files' properties, of traces, of metrics and generic. */
    private static List<String> tls() {
        return List.of("certificate", "client.key", "client.certificate").stream()
                .flatMap(setting -> List.of("otel.exporter.otlp.traces." + setting,
                        "otel.exporter.otlp.metrics." + setting, "otel.exporter.otlp." + setting).stream())
                .toList();
    }
}
