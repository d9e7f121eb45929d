package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.observer.Urls;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a property the OpenTelemetry SDK refused was set, as the user wrote it: {@code -Dotel.foo=value} over the
 * variable {@code OTEL_FOO=value} over the file's key. The SDK names the property ({@code otel.traces.sampler.arg}),
 * which a user who set {@code OTEL_TRACES_SAMPLER_ARG} would not search for.
 */
final class SdkSettingSources {

    /** The file's keys that {@link SdkProperties#fromFile} turns into these properties. */
    private static final Map<String, String> FILE_KEYS = Map.of(
            "otel.traces.exporter", "tracing.exporter",
            "otel.exporter.otlp.protocol", "tracing.protocol",
            "otel.exporter.otlp.endpoint", "tracing.endpoint",
            "otel.exporter.otlp.traces.endpoint", "tracing.endpoint",
            "otel.exporter.otlp.headers", "tracing.headers",
            "otel.traces.sampler.arg", "tracing.sample_rate",
            "otel.metrics.exporter", "metrics.exporter");
    private static final String NOT_SHOWN = "(value not shown: it may hold a secret)";

    private final Map<String, String> environment;

    /** @param environment the {@code OTEL_*} variables the host passed ({@link ExportSettings#environment()}) */
    SdkSettingSources(Map<String, String> environment) {
        this.environment = environment;
    }

    /**
     * The first of {@code properties} (most specific first) that the user set with a value holding {@code part} (any
     * value when null), as {@code OTEL_FOO=value}; the file's key when none was set.
     */
    String named(List<String> properties, String part) {
        for (String property : properties) {
            Optional<String> set = setting(property, part);
            if (set.isPresent()) {
                return set.get();
            }
        }
        return FILE_KEYS.getOrDefault(properties.getLast(), properties.getLast());
    }

    /** As {@link #named(List, String)} for one property. */
    String named(String property) {
        return named(List.of(property), null);
    }

    private Optional<String> setting(String property, String part) {
        String system = System.getProperty(property);
        if (system != null && (part == null || system.contains(part))) {
            return Optional.of("-D" + property + "=" + shown(property, system));
        }
        String variable = property.toUpperCase(Locale.ROOT).replace('.', '_');
        String value = environment.get(variable);
        if (value != null && (part == null || value.contains(part))) {
            return Optional.of(variable + "=" + shown(property, value));
        }
        return Optional.empty();
    }

    /** Header values are where API keys go, and URLs may carry credentials: neither is shown whole. */
    private static String shown(String property, String value) {
        if (property.endsWith(".headers")) {
            return NOT_SHOWN;
        }
        return property.endsWith(".endpoint") ? Urls.redactIn(value) : value;
    }

    /** The property's variants, the signal's own first: {@code otel.exporter.otlp.traces.X}, then the generic one. */
    static List<String> otlp(String signal, String setting) {
        return List.of("otel.exporter.otlp." + signal + "." + setting, "otel.exporter.otlp." + setting);
    }
}
