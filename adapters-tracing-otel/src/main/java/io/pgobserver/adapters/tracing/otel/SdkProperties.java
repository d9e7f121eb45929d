package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.pgobserver.domain.config.MetricsSettings;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configuration as the OpenTelemetry SDK's properties. The file's keys are the lowest layer
 * ({@link #fromFile}); the {@code OTEL_*} variables go over them ({@link #fromEnvironment}), and {@code -Dotel.*}
 * system properties over those, as the specification and the SDK's autoconfiguration order them.
 */
final class SdkProperties {

    private static final String TRACES_EXPORTER = "otel.traces.exporter";
    private static final String OTLP_ENDPOINT = "otel.exporter.otlp.endpoint";
    private static final String OTLP_TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
    private static final Set<String> NETWORK = Set.of("otlp", "jaeger", "zipkin");

    private SdkProperties() {
    }

    /**
     * Gives the SDK's autoconfiguration its layers: the file's keys under everything, the {@code OTEL_*} variables
     * over them. The SDK itself adds the process's environment and {@code -Dotel.*} system properties between. The
     * one place that says so, for the SDK {@link OtelSdk} builds and for what {@code check-config} shows
     * ({@link ExportsInEffect}); and the one place that reads the process's environment, to take back what the SDK
     * read of it behind the host's back ({@link #fromEnvironment}).
     */
    static AutoConfiguredOpenTelemetrySdkBuilder layered(AutoConfiguredOpenTelemetrySdkBuilder builder,
                                                         ExportSettings tracing, boolean active, MetricsSettings metrics) {
        Map<String, String> process = System.getenv();
        return builder.addPropertiesSupplier(() -> fromFile(tracing, active, metrics))
                .addPropertiesCustomizer(config -> fromEnvironment(tracing, active, fromFile(tracing, active, metrics),
                        process));
    }

    /** The file's keys (after pg-observer's own variables and flags) as SDK properties. */
    static Map<String, String> fromFile(ExportSettings tracing, boolean active, MetricsSettings metrics) {
        Map<String, String> p = new LinkedHashMap<>();
        // OTEL_RESOURCE_ATTRIBUTES=service.name=... names the service unless the file or TRACING_SERVICE_NAME does:
        // the property would go over it.
        if (!tracing.serviceName().equals(ExportSettings.DEFAULT_SERVICE_NAME)
                || !namesService(tracing.environment().get("OTEL_RESOURCE_ATTRIBUTES"))) {
            p.put("otel.service.name", tracing.serviceName());
        }
        p.put(TRACES_EXPORTER, active ? tracing.exporter() : "none");
        p.put("otel.metrics.exporter", metrics.otlp() ? "otlp" : "none");
        p.put("otel.logs.exporter", "none");
        // The queue-drop warning reads the batch processor's drop counter under its current name.
        p.put("otel.experimental.sdk.telemetry.version", "latest");
        p.put("otel.traces.sampler", "parentbased_traceidratio");
        p.put("otel.traces.sampler.arg", Double.toString(tracing.sampleRate()));
        p.put("otel.bsp.max.queue.size", Integer.toString(tracing.batch().maxQueueSize()));
        p.put("otel.bsp.max.export.batch.size", Integer.toString(tracing.batch().maxExportBatchSize()));
        p.put("otel.bsp.schedule.delay", tracing.batch().scheduleDelay().toMillis() + "ms");
        p.put("otel.exporter.otlp.protocol", tracing.protocol());
        if (!tracing.headers().isEmpty()) {
            p.put("otel.exporter.otlp.headers", keyValues(tracing.headers()));
        }
        String endpoint = tracing.endpoint() == null || tracing.endpoint().isBlank() ? null : tracing.endpoint().trim();
        if (endpoint != null) {
            List<String> listed = network(tracing.exporters());
            if (listed.size() > 1) {
                throw ambiguous(endpoint, tracing.exporter());
            }
            // A variable that picks the exporter replaces only the exporter: the file's endpoint goes to whichever
            // network exporter runs. Among several the variable picks, it is that of the one the file lists.
            List<String> chosen = active ? network(chosenExporters(tracing)) : listed;
            List<String> targets = chosen.size() > 1 ? chosen.stream().filter(listed::contains).toList() : chosen;
            if (targets.isEmpty() && !chosen.isEmpty()) {
                throw ambiguous(endpoint, String.join(",", chosen)
                        + " (OTEL_TRACES_EXPORTER or -Dotel.traces.exporter)");
            }
            if (targets.contains("zipkin")) {
                p.put(SpanExporters.ZIPKIN_ENDPOINT, endpoint);
            }
            if (targets.contains("otlp") || targets.contains("jaeger")) {
                URI uri = SpanExporters.httpUri("tracing.endpoint", endpoint);
                String path = uri.getRawPath();
                boolean bare = path == null || path.isEmpty() || path.equals("/");
                // A bare host is the generic endpoint (HTTP appends /v1/traces); a URL with a path is used as it is.
                // A generic endpoint in the environment outranks the file, so the file's then steps aside.
                if (tracing.protocol().equals("grpc") || bare) {
                    p.put(OTLP_ENDPOINT, endpoint);
                } else if (!environmentSets(tracing, OTLP_ENDPOINT)) {
                    p.put(OTLP_TRACES_ENDPOINT, endpoint);
                }
            }
        }
        return p;
    }

    /**
     * The {@code OTEL_*} variables as SDK properties ({@code OTEL_FOO_BAR} is {@code otel.foo.bar}), without those
     * a system property sets; and {@code otel.traces.exporter=none} when tracing is off whatever they say.
     *
     * <p>The environment the host passed in ({@link ExportSettings#environment}) is the environment: a variable of
     * the {@code process} that it lacks, such as {@code OTEL_TRACES_EXPORTER} which {@code demo} folds into
     * {@code tracing.exporter}, must not reach the SDK, which reads the process's environment itself. A customizer
     * cannot unset a property, so such a variable's property gets the {@code file} layer's value back.
     */
    static Map<String, String> fromEnvironment(ExportSettings tracing, boolean active, Map<String, String> file,
                                               Map<String, String> process) {
        Map<String, String> p = new LinkedHashMap<>();
        Set<String> passed = tracing.environment().keySet().stream().map(SdkProperties::property)
                .collect(Collectors.toSet());
        process.keySet().stream().map(SdkProperties::property)
                .filter(property -> property.startsWith("otel.") && !passed.contains(property))
                // Left as it is when the file layer has no value for it: the SDK takes an empty string as a value,
                // not as unset (an empty endpoint fails the start), and the SDK's default written out would outrank
                // what it only defaults to (a default traces endpoint over a generic one). A host drops a variable
                // it has folded into the file's keys, as demo does OTEL_TRACES_EXPORTER, which the file layer sets.
                .filter(property -> file.containsKey(property) && System.getProperty(property) == null)
                .forEach(property -> p.put(property, file.get(property)));
        tracing.environment().forEach((name, value) -> {
            String property = property(name);
            if (System.getProperty(property) == null) {
                p.put(property, value);
            }
        });
        if (!active) {
            p.put(TRACES_EXPORTER, "none");
        }
        return p;
    }

    /**
     * Refuses {@code OTEL_METRICS_EXPORTER=prometheus}: the SDK would open a Prometheus server of its own as it is
     * built, even for {@code check-config} and with metrics off, on the port pg-observer's own endpoint takes. As
     * {@code -Dotel.metrics.exporter=prometheus} too, which outranks the variable in the SDK.
     */
    static void refuseSecondPrometheus(Map<String, String> environment) {
        String property = System.getProperty("otel.metrics.exporter");
        String value = property != null ? property : environment.get("OTEL_METRICS_EXPORTER");
        if (value != null && Arrays.stream(value.split(","))
                .anyMatch(name -> name.trim().equalsIgnoreCase("prometheus"))) {
            String named = property != null ? "-Dotel.metrics.exporter=" : "OTEL_METRICS_EXPORTER=";
            throw new IllegalArgumentException(named + value + " would start the OpenTelemetry SDK's"
                    + " own Prometheus server beside pg-observer's: unset it (or keep otlp alone), and for a scrape"
                    + " endpoint set metrics.enabled: true with metrics.exporter: prometheus (the default; metrics.port)");
        }
    }

    private static IllegalArgumentException ambiguous(String endpoint, String exporters) {
        return new IllegalArgumentException("tracing.endpoint '" + endpoint + "' is ambiguous with exporters "
                + exporters + ": list one network exporter beside console, or leave tracing.endpoint"
                + " unset and give each its own (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_ZIPKIN_ENDPOINT)");
    }

    private static List<String> network(List<String> exporters) {
        return exporters.stream().filter(NETWORK::contains).toList();
    }

    /**
     * The exporters the SDK will run: {@code -Dotel.traces.exporter} over {@code OTEL_TRACES_EXPORTER} over the
     * file's. A variable of the process that the host did not pass has no say ({@link #fromEnvironment}).
     */
    private static List<String> chosenExporters(ExportSettings tracing) {
        String value = System.getProperty(TRACES_EXPORTER);
        if (value == null || value.isBlank()) {
            value = tracing.environment().get("OTEL_TRACES_EXPORTER");
        }
        if (value == null || value.isBlank()) {
            return tracing.exporters();
        }
        return Arrays.stream(value.split(",")).map(name -> name.trim().toLowerCase(Locale.ROOT)).toList();
    }

    static String property(String variable) {
        return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static boolean environmentSets(ExportSettings tracing, String property) {
        return System.getProperty(property) != null || tracing.environment().keySet().stream()
                .anyMatch(name -> property(name).equals(property));
    }

    /** {@code k1=v1,k2=v2}, with the characters the SDK decodes ({@code %}, {@code ,}, {@code +}) percent-encoded. */
    private static String keyValues(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        values.forEach((k, v) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(k).append('=').append(v.replace("%", "%25").replace(",", "%2C").replace("+", "%2B"));
        });
        return out.toString();
    }

    private static boolean namesService(String resourceAttributes) {
        if (resourceAttributes == null) {
            return false;
        }
        for (String pair : resourceAttributes.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals("service.name")) {
                return true;
            }
        }
        return false;
    }
}
