package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

/**
 * The environment variables that switch tracing and metrics on or off, written over the file's tree: the core's
 * keys {@code tracing.enabled} and {@code metrics.enabled}. Where spans go ({@code TRACING_EXPORTER},
 * {@code JAEGER_*}, {@code ZIPKIN_ENDPOINT}, the other {@code OTEL_*} variables) is the tracing adapter's to read.
 * Two OpenTelemetry standard variables matter to the core: an {@code OTEL_*} exporter setting switches tracing on,
 * and {@code OTEL_SDK_DISABLED=true} switches tracing and metrics off whatever else says.
 */
final class EnvironmentOverrides {

    /** The {@code OTEL_*} variables that name where spans go: any of them switches tracing on. */
    static final List<String> OTEL_EXPORTER_VARIABLES = List.of("OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

    /** Every variable read here, for the docs check. */
    static final List<String> VARIABLES = List.of("OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
            "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "TRACING_ENABLED");

    private final Map<String, String> env;

    EnvironmentOverrides(Map<String, String> env) {
        this.env = env;
    }

    private String get(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    void applyTo(ObjectNode root) {
        String enabled = get("TRACING_ENABLED");
        if (enabled != null) {
            Trees.set(root, "tracing.enabled", enabled);
        } else if (OTEL_EXPORTER_VARIABLES.stream().map(this::get).anyMatch(v -> v != null && !v.equalsIgnoreCase("none"))) {
            Trees.set(root, "tracing.enabled", "true");
        }
        if ("true".equalsIgnoreCase(get("OTEL_SDK_DISABLED"))) {
            Trees.set(root, "tracing.enabled", "false");
            Trees.set(root, "metrics.enabled", "false");
        }
    }
}
