package io.pgobserver.domain.config;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The effective {@code tracing:} settings, after file, environment and flags were merged.
 *
 * @param enabled            false installs the no-op tracer
 * @param serviceName        the resource's {@code service.name}
 * @param exporter           {@code otlp}, {@code jaeger}, {@code zipkin}, {@code console} or {@code none}; several
 *                           at once as a comma-separated list, such as {@code console,zipkin}
 * @param endpoint           the exporter's endpoint; null for the exporter's default
 * @param protocol           {@code grpc} or {@code http/protobuf}, for otlp and jaeger
 * @param sampleRate         parent-based trace-id ratio, 0.0 to 1.0
 * @param maxQueueSize       the batch processor's queue
 * @param maxExportBatchSize the batch processor's batch
 * @param scheduleDelay      the batch processor's delay
 * @param components         the components whose spans are recorded
 * @param entities           only events of these entities are traced; empty means all
 * @param kinds              only events of these kinds are traced; empty means all
 * @param resourceAttributes extra resource attributes ({@code OTEL_RESOURCE_ATTRIBUTES})
 * @param headers            headers sent with every OTLP export, such as a backend's API key: secret, so
 *                           {@link #toString()} masks their values
 * @param onlyErrors         an event's spans are exported only when one of its attempts failed or was retried,
 *                           its condition failed or it was dead-lettered; successes then follow {@code sampleRate}
 * @param environment        the {@code OTEL_*} variables, which the OpenTelemetry SDK reads over the keys above as
 *                           the specification says (values of {@code *HEADERS} variables are secret)
 */
public record TracingSettings(
        boolean enabled,
        String serviceName,
        String exporter,
        String endpoint,
        String protocol,
        double sampleRate,
        int maxQueueSize,
        int maxExportBatchSize,
        Duration scheduleDelay,
        Set<Tracer.Component> components,
        Set<String> entities,
        Set<ChangeKind> kinds,
        Map<String, String> resourceAttributes,
        Map<String, String> headers,
        boolean onlyErrors,
        Map<String, String> environment) {

    public static final Set<String> EXPORTERS = Set.of("otlp", "jaeger", "zipkin", "console", "none");
    public static final Set<String> PROTOCOLS = Set.of("grpc", "http/protobuf");

    public TracingSettings {
        if (serviceName == null || serviceName.isBlank()) {
            throw new IllegalArgumentException("tracing.service_name must not be empty");
        }
        exporter = String.join(",", parseExporters(exporter == null ? "otlp" : exporter));
        protocol = protocol == null ? "grpc" : protocol.trim().toLowerCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("tracing.protocol '" + protocol + "' is not one of grpc, http/protobuf");
        }
        if (!(sampleRate >= 0.0 && sampleRate <= 1.0)) {
            throw new IllegalArgumentException("tracing.sample_rate must be between 0.0 and 1.0, was " + sampleRate);
        }
        if (maxQueueSize < 1 || maxExportBatchSize < 1) {
            throw new IllegalArgumentException("tracing.batch sizes must be positive");
        }
        if (maxExportBatchSize > maxQueueSize) {
            throw new IllegalArgumentException("tracing.batch.max_export_batch_size (" + maxExportBatchSize
                    + ") must not exceed tracing.batch.max_queue_size (" + maxQueueSize + ")");
        }
        Objects.requireNonNull(scheduleDelay, "scheduleDelay");
        components = components == null ? EnumSet.allOf(Tracer.Component.class) : Set.copyOf(components);
        entities = entities == null ? Set.of() : Set.copyOf(entities);
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
        resourceAttributes = resourceAttributes == null ? Map.of() : Map.copyOf(resourceAttributes);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        environment = environment == null ? Map.of() : Map.copyOf(environment);
        for (String name : environment.keySet()) {
            if (!name.startsWith("OTEL_")) {
                throw new IllegalArgumentException("tracing environment holds " + name + ", not an OTEL_* variable");
            }
        }
        for (String name : headers.keySet()) {
            if (name.isBlank() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
                throw new IllegalArgumentException("tracing.headers name '" + name
                        + "' is not a valid HTTP header name (visible ASCII, no ':' or spaces)");
            }
        }
    }

    /** Settings without only-errors or {@code OTEL_*} variables. */
    public TracingSettings(boolean enabled, String serviceName, String exporter, String endpoint, String protocol,
                           double sampleRate, int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay,
                           Set<Tracer.Component> components, Set<String> entities, Set<ChangeKind> kinds,
                           Map<String, String> resourceAttributes, Map<String, String> headers) {
        this(enabled, serviceName, exporter, endpoint, protocol, sampleRate, maxQueueSize, maxExportBatchSize,
                scheduleDelay, components, entities, kinds, resourceAttributes, headers, false, null);
    }

    /** Settings without export headers (the common case: a collector on the same network). */
    public TracingSettings(boolean enabled, String serviceName, String exporter, String endpoint, String protocol,
                           double sampleRate, int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay,
                           Set<Tracer.Component> components, Set<String> entities, Set<ChangeKind> kinds,
                           Map<String, String> resourceAttributes) {
        this(enabled, serviceName, exporter, endpoint, protocol, sampleRate, maxQueueSize, maxExportBatchSize,
                scheduleDelay, components, entities, kinds, resourceAttributes, null);
    }

    /**
     * Defaults: off (tracing is opt-in), and once on OTLP gRPC to localhost with everything sampled.
     */
    public static TracingSettings defaults() {
        return new TracingSettings(false, "pg-observer", "otlp", null, "grpc", 1.0, 2048, 512,
                Duration.ofSeconds(5), null, null, null, null);
    }

    /** The exporters, in the order given; {@code [none]} when spans go nowhere. */
    public List<String> exporters() {
        return List.of(exporter.split(","));
    }

    private static List<String> parseExporters(String value) {
        List<String> names = new ArrayList<>();
        for (String raw : value.split(",", -1)) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (!EXPORTERS.contains(name)) {
                throw new IllegalArgumentException("tracing.exporter '" + raw.trim()
                        + "' is not one of otlp, jaeger, zipkin, console, none (several: a comma-separated list)");
            }
            if (names.contains(name)) {
                throw new IllegalArgumentException("tracing.exporter lists '" + name + "' twice");
            }
            names.add(name);
        }
        if (names.size() > 1 && names.contains("none")) {
            throw new IllegalArgumentException("tracing.exporter 'none' cannot be combined with other exporters: "
                    + value);
        }
        return names;
    }

    /** Whether spans are produced at all: enabled and an exporter other than none. */
    public boolean active() {
        return enabled && !exporter.equals("none");
    }

    /** Like the record's, but header values (API keys, tokens) are masked. */
    @Override
    public String toString() {
        Map<String, String> masked = new java.util.TreeMap<>();
        headers.keySet().forEach(name -> masked.put(name, "****"));
        return "TracingSettings[enabled=" + enabled + ", serviceName=" + serviceName + ", exporter=" + exporter
                + ", endpoint=" + endpoint + ", protocol=" + protocol + ", sampleRate=" + sampleRate
                + ", maxQueueSize=" + maxQueueSize + ", maxExportBatchSize=" + maxExportBatchSize
                + ", scheduleDelay=" + scheduleDelay + ", components=" + components + ", entities=" + entities
                + ", kinds=" + kinds + ", resourceAttributes=" + resourceAttributes + ", headers=" + masked
                + ", onlyErrors=" + onlyErrors + ", environment=" + maskedEnvironment() + "]";
    }

    /** The {@code OTEL_*} variables with the values of header variables (API keys) masked. */
    public Map<String, String> maskedEnvironment() {
        Map<String, String> out = new java.util.TreeMap<>(environment);
        out.replaceAll((name, value) -> name.contains("HEADERS") ? "****" : value);
        return out;
    }

    /** A copy with the {@code OTEL_*} variables the SDK will read. */
    public TracingSettings withEnvironment(Map<String, String> variables) {
        return new TracingSettings(enabled, serviceName, exporter, endpoint, protocol, sampleRate, maxQueueSize,
                maxExportBatchSize, scheduleDelay, components, entities, kinds, resourceAttributes, headers,
                onlyErrors, variables);
    }

    public boolean traces(String entityType, ChangeKind kind) {
        return (entities.isEmpty() || entities.contains(entityType)) && (kinds.isEmpty() || kinds.contains(kind));
    }
}
