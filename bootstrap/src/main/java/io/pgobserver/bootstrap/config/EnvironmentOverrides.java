package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment variables of docs/guide.md, written over the file's tree: pg-observer's own (TRACING_*, JAEGER_*,
 * ZIPKIN_*). The OpenTelemetry standard variables ({@code OTEL_*}) are not mapped here: the OpenTelemetry SDK's
 * autoconfiguration reads them over the file's keys, as in any OpenTelemetry Java application. Two of them
 * matter before the SDK exists: an {@code OTEL_*} exporter setting switches tracing on, and
 * {@code OTEL_SDK_DISABLED=true} switches tracing and metrics off whatever else says.
 */
final class EnvironmentOverrides {

    /** The {@code OTEL_*} variables that name where spans go: any of them switches tracing on. */
    static final List<String> OTEL_EXPORTER_VARIABLES = List.of("OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

    /** Every variable read here, for the docs check. */
    static final List<String> VARIABLES = List.of("OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "TRACING_ENABLED",
            "TRACING_SERVICE_NAME", "TRACING_EXPORTER", "TRACING_SAMPLE_RATE", "TRACING_ONLY_ERRORS",
            "JAEGER_ENDPOINT", "JAEGER_SAMPLE_RATE", "JAEGER_AGENT_HOST", "JAEGER_AGENT_PORT", "ZIPKIN_ENDPOINT");

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
        applyOwn(root);
        boolean otelExporter = OTEL_EXPORTER_VARIABLES.stream().map(this::get)
                .anyMatch(v -> v != null && !v.equalsIgnoreCase("none"));
        if (otelExporter && get("TRACING_ENABLED") == null) {
            Trees.set(root, "tracing.enabled", "true");
        }
        if ("true".equalsIgnoreCase(get("OTEL_SDK_DISABLED"))) {
            Trees.set(root, "tracing.enabled", "false");
            Trees.set(root, "metrics.enabled", "false");
        }
    }

    /** The {@code OTEL_*} variables, for the OpenTelemetry SDK (blank ones are unset, as the specification says). */
    Map<String, String> openTelemetry() {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
                out.put(name, value.trim());
            }
        });
        return out;
    }

    private void applyOwn(ObjectNode root) {
        setIf(root, "tracing.enabled", get("TRACING_ENABLED"));
        setIf(root, "tracing.service_name", get("TRACING_SERVICE_NAME"));
        setIf(root, "tracing.exporter", get("TRACING_EXPORTER"));
        setIf(root, "tracing.sample_rate", get("TRACING_SAMPLE_RATE"));
        setIf(root, "tracing.only_errors", get("TRACING_ONLY_ERRORS"));
        String jaegerEndpoint = get("JAEGER_ENDPOINT");
        String agentHost = get("JAEGER_AGENT_HOST");
        if (jaegerEndpoint == null && agentHost != null) {
            // The Thrift agent protocol is retired upstream; Jaeger takes OTLP natively on 4317 since 1.35.
            String agentPort = get("JAEGER_AGENT_PORT");
            jaegerEndpoint = JaegerEndpoints.otlpGrpcForAgent(agentHost);
            warnings.add("JAEGER_AGENT_HOST/JAEGER_AGENT_PORT name Jaeger's retired Thrift agent; sending OTLP to "
                    + jaegerEndpoint + " instead" + (agentPort == null ? "" : " (JAEGER_AGENT_PORT=" + agentPort
                    + " ignored)") + ". Set OTEL_EXPORTER_OTLP_ENDPOINT=" + jaegerEndpoint
                    + " (or tracing.endpoint) to silence this.");
            Trees.set(root, "tracing.protocol", "grpc");
        } else if (jaegerEndpoint != null && JaegerEndpoints.isThriftCollector("JAEGER_ENDPOINT", jaegerEndpoint)) {
            String otlp = JaegerEndpoints.otlpHttpFor("JAEGER_ENDPOINT", jaegerEndpoint);
            warnings.add(JaegerEndpoints.thriftWarning("JAEGER_ENDPOINT", jaegerEndpoint, otlp));
            jaegerEndpoint = otlp;
            Trees.set(root, "tracing.protocol", "http/protobuf");
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
}
