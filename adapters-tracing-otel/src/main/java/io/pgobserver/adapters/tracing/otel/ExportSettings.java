package io.pgobserver.adapters.tracing.otel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The adapter's half of the {@code tracing:} section, after file, environment and flags were merged: where spans
 * go. The core's half ({@code enabled}, which spans are created) is the domain's {@code TracingSettings}.
 *
 * @param serviceName        the resource's {@code service.name}
 * @param exporter           {@code otlp}, {@code jaeger}, {@code zipkin}, {@code console} or {@code none}; several
 *                           at once as a comma-separated list, such as {@code console,zipkin}
 * @param endpoint           the exporter's endpoint; null for the exporter's default
 * @param protocol           {@code grpc} or {@code http/protobuf}, for otlp and jaeger
 * @param sampleRate         parent-based trace-id ratio, 0.0 to 1.0
 * @param batch              the batch span processor
 * @param resourceAttributes extra resource attributes ({@code OTEL_RESOURCE_ATTRIBUTES})
 * @param headers            headers sent with every OTLP export, such as a backend's API key: secret, so
 *                           {@link #toString()} masks their values
 * @param onlyErrors         an event's spans are exported only when one of its attempts failed or was retried,
 *                           its condition failed or it was dead-lettered; successes then follow {@code sampleRate}
 * @param environment        the {@code OTEL_*} variables, which the OpenTelemetry SDK reads over the keys above as
 *                           the specification says (values of {@code *HEADERS} variables are secret)
 * @param tracingEnabled     the core's {@code tracing.enabled} as the same mapping says after environment and flags:
 *                           not for building the SDK (the core's {@code TracingSettings} decides that), only so that
 *                           {@code check-config} shows "nothing" rather than an exporter when tracing is off
 */
record ExportSettings(
        String serviceName,
        String exporter,
        String endpoint,
        String protocol,
        double sampleRate,
        Batch batch,
        Map<String, String> resourceAttributes,
        Map<String, String> headers,
        boolean onlyErrors,
        Map<String, String> environment,
        boolean tracingEnabled) {

    static final String DEFAULT_SERVICE_NAME = "pg-observer";
    static final Set<String> EXPORTERS = Set.of("otlp", "jaeger", "zipkin", "console", "none");
    static final Set<String> PROTOCOLS = Set.of("grpc", "http/protobuf");

    /**
     * The batch span processor's settings.
     *
     * @param maxQueueSize       spans waiting for export; more are dropped with a warning
     * @param maxExportBatchSize spans per export
     * @param scheduleDelay      the longest a span waits for its batch
     */
    record Batch(int maxQueueSize, int maxExportBatchSize, Duration scheduleDelay) {

        static final Batch DEFAULT = new Batch(2048, 512, Duration.ofSeconds(5));
        /** The most spans a queue or a batch may hold (tracing.batch.max_queue_size, max_export_batch_size). */
        static final int MAX_SIZE = 10_000_000;
        /** Below it the exporter would wake in a loop for a few spans each time: CPU spent for nothing seen sooner. */
        static final Duration MIN_SCHEDULE_DELAY = Duration.ofMillis(10);
        /** Above it spans are seen a minute late, and a crash loses a minute of them. */
        static final Duration MAX_SCHEDULE_DELAY = Duration.ofMinutes(1);

        Batch {
            if (maxQueueSize < 1 || maxExportBatchSize < 1) {
                throw new IllegalArgumentException("tracing.batch sizes must be positive");
            }
            if (maxExportBatchSize > maxQueueSize) {
                throw new IllegalArgumentException("tracing.batch.max_export_batch_size (" + maxExportBatchSize
                        + ") must not exceed tracing.batch.max_queue_size (" + maxQueueSize + ")");
            }
            Objects.requireNonNull(scheduleDelay, "scheduleDelay");
        }
    }

    ExportSettings {
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
        batch = batch == null ? Batch.DEFAULT : batch;
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

    /** Defaults: OTLP gRPC to localhost, everything sampled, the SDK's batch sizes; tracing off, as the core's default. */
    static ExportSettings defaults() {
        return new ExportSettings(DEFAULT_SERVICE_NAME, "otlp", null, "grpc", 1.0, Batch.DEFAULT, null, null, false, null, false);
    }

    /** The exporters, in the order given; {@code [none]} when spans go nowhere. */
    List<String> exporters() {
        return List.of(exporter.split(","));
    }

    /**
     * Whether spans go anywhere: an exporter other than none. {@code OTEL_TRACES_EXPORTER} decides when it is set,
     * since the SDK reads it over the file, as the specification says.
     */
    boolean exports() {
        String variable = environment.get("OTEL_TRACES_EXPORTER");
        String chosen = variable == null || variable.isBlank() ? exporter : variable.trim().toLowerCase(Locale.ROOT);
        return !chosen.equals("none");
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

    /** Like the record's, but header values (API keys, tokens) are masked. */
    @Override
    public String toString() {
        Map<String, String> masked = new TreeMap<>();
        headers.keySet().forEach(name -> masked.put(name, "****"));
        return "ExportSettings[serviceName=" + serviceName + ", exporter=" + exporter + ", endpoint=" + endpoint
                + ", protocol=" + protocol + ", sampleRate=" + sampleRate + ", batch=" + batch
                + ", resourceAttributes=" + resourceAttributes + ", headers=" + masked + ", onlyErrors=" + onlyErrors
                + ", environment=" + maskedEnvironment() + ", tracingEnabled=" + tracingEnabled + "]";
    }

    /** The {@code OTEL_*} variables with the values of header variables (API keys) masked. */
    Map<String, String> maskedEnvironment() {
        Map<String, String> out = new TreeMap<>(environment);
        out.replaceAll((name, value) -> name.contains("HEADERS") ? "****" : value);
        return out;
    }

    /** A copy with the {@code OTEL_*} variables the SDK will read. */
    ExportSettings withEnvironment(Map<String, String> variables) {
        return new ExportSettings(serviceName, exporter, endpoint, protocol, sampleRate, batch, resourceAttributes,
                headers, onlyErrors, variables, tracingEnabled);
    }
}
