package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment variables of docs/guide.md, written over the file's tree. The OpenTelemetry standard variables
 * go first and pg-observer's own (TRACING_*, JAEGER_*, ZIPKIN_*) after them, so the more specific name wins
 * when both are set; {@code OTEL_SDK_DISABLED=true} turns tracing off whatever else says.
 */
final class EnvironmentOverrides {

    /** Every variable read here, for the docs check. */
    static final List<String> VARIABLES = List.of("OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME",
            "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG",
            "OTEL_RESOURCE_ATTRIBUTES", "TRACING_ENABLED", "TRACING_SERVICE_NAME", "TRACING_EXPORTER",
            "TRACING_SAMPLE_RATE", "JAEGER_ENDPOINT", "JAEGER_SAMPLE_RATE", "JAEGER_AGENT_HOST", "JAEGER_AGENT_PORT",
            "ZIPKIN_ENDPOINT");

    private final Map<String, String> env;
    private final List<String> warnings;

    EnvironmentOverrides(Map<String, String> env, List<String> warnings) {
        this.env = env;
        this.warnings = warnings;
    }

    private String get(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    void applyTo(ObjectNode root) {
        applyOpenTelemetry(root);
        applyOwn(root);
        if ("true".equalsIgnoreCase(get("OTEL_SDK_DISABLED"))) {
            Trees.set(root, "tracing.enabled", "false");
        }
    }

    private void applyOpenTelemetry(ObjectNode root) {
        setIf(root, "tracing.service_name", get("OTEL_SERVICE_NAME"));
        String exporters = get("OTEL_TRACES_EXPORTER");
        if (exporters != null) {
            // OpenTelemetry calls the console exporter "logging" (older) or "console".
            Trees.set(root, "tracing.exporter", exporters.toLowerCase(Locale.ROOT).replace("logging", "console"));
        }
        setIf(root, "tracing.endpoint", get("OTEL_EXPORTER_OTLP_ENDPOINT"));
        setIf(root, "tracing.endpoint", get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        setIf(root, "tracing.protocol", get("OTEL_EXPORTER_OTLP_PROTOCOL"));
        String sampler = get("OTEL_TRACES_SAMPLER");
        String arg = get("OTEL_TRACES_SAMPLER_ARG");
        if (sampler != null) {
            String rate = switch (sampler.toLowerCase(Locale.ROOT)) {
                case "always_on", "parentbased_always_on" -> "1.0";
                case "always_off", "parentbased_always_off" -> "0.0";
                case "traceidratio", "parentbased_traceidratio" -> arg == null ? "1.0" : arg;
                default -> throw new ConfigException("OTEL_TRACES_SAMPLER '" + sampler + "' is not supported: use "
                        + "parentbased_traceidratio, parentbased_always_on or parentbased_always_off");
            };
            if (!sampler.toLowerCase(Locale.ROOT).startsWith("parentbased")) {
                warnings.add("OTEL_TRACES_SAMPLER=" + sampler + ": pg-observer always follows the writer's sampling "
                        + "decision (parent-based); the ratio applies to events without a writer's trace");
            }
            Trees.set(root, "tracing.sample_rate", rate);
        } else if (arg != null) {
            Trees.set(root, "tracing.sample_rate", arg);
        }
        String resource = get("OTEL_RESOURCE_ATTRIBUTES");
        if (resource != null) {
            Map<String, String> attributes = parseKeyValues("OTEL_RESOURCE_ATTRIBUTES", resource);
            attributes.forEach((k, v) -> Trees.set(root, "tracing.resource_attributes", k, v));
        }
        String headers = get("OTEL_EXPORTER_OTLP_HEADERS");
        if (headers != null) {
            parseKeyValues("OTEL_EXPORTER_OTLP_HEADERS", headers)
                    .forEach((k, v) -> Trees.set(root, "tracing.headers", k, v));
        }
    }

    private void applyOwn(ObjectNode root) {
        setIf(root, "tracing.enabled", get("TRACING_ENABLED"));
        setIf(root, "tracing.service_name", get("TRACING_SERVICE_NAME"));
        setIf(root, "tracing.exporter", get("TRACING_EXPORTER"));
        setIf(root, "tracing.sample_rate", get("TRACING_SAMPLE_RATE"));
        String jaegerEndpoint = get("JAEGER_ENDPOINT");
        String agentHost = get("JAEGER_AGENT_HOST");
        if (jaegerEndpoint == null && agentHost != null) {
            // The Thrift agent protocol is retired upstream; Jaeger takes OTLP natively on 4317 since 1.35.
            String agentPort = get("JAEGER_AGENT_PORT");
            jaegerEndpoint = "http://" + agentHost + ":4317";
            warnings.add("JAEGER_AGENT_HOST/JAEGER_AGENT_PORT name Jaeger's retired Thrift agent; sending OTLP to "
                    + jaegerEndpoint + " instead" + (agentPort == null ? "" : " (JAEGER_AGENT_PORT=" + agentPort
                    + " ignored)") + ". Set JAEGER_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT to silence this.");
            Trees.set(root, "tracing.protocol", "grpc");
        }
        if (jaegerEndpoint != null) {
            Trees.set(root, "tracing.exporter", "jaeger");
            Trees.set(root, "tracing.endpoint", jaegerEndpoint);
        }
        setIf(root, "tracing.sample_rate", get("JAEGER_SAMPLE_RATE"));
        String zipkin = get("ZIPKIN_ENDPOINT");
        if (zipkin != null) {
            Trees.set(root, "tracing.exporter", "zipkin");
            Trees.set(root, "tracing.endpoint", zipkin);
        }
    }

    private static void setIf(ObjectNode root, String path, String value) {
        if (value != null) {
            Trees.set(root, path, value);
        }
    }

    /** {@code key1=value1,key2=value2}, values percent-decoded, as the OpenTelemetry specification says. */
    static Map<String, String> parseKeyValues(String variable, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                // The entry is not echoed: header values are API keys.
                throw new ConfigException(variable + " has an entry that is not key=value (use key1=value1,key2=value2)");
            }
            out.put(pair.substring(0, eq).trim(),
                    URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
