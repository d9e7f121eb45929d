package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The adapter's half of {@code tracing:}: where spans go. The core reads {@code enabled}, {@code components},
 * {@code entities} and {@code kinds} of the same mapping, then this reads the rest: {@code service_name},
 * {@code exporter}, {@code endpoint}, {@code protocol}, {@code sample_rate}, {@code batch}, {@code headers},
 * {@code resource_attributes}, {@code only_errors}, and the original design's {@code tracing.jaeger} read as
 * today's keys with one warning. A Jaeger Thrift endpoint is never silently lost: it becomes OTLP/HTTP on that
 * host, with a warning. The {@code OTEL_*} variables are handed to the SDK's autoconfiguration, which reads them
 * over these keys as the OpenTelemetry specification says.
 */
final class TracingSection implements ConfigSection<ExportSettings> {

    private static final String JAEGER_ENDPOINT = "JAEGER_ENDPOINT";
    private static final String JAEGER_AGENT_HOST = "JAEGER_AGENT_HOST";
    private static final String JAEGER_AGENT_PORT = "JAEGER_AGENT_PORT";
    private static final String ZIPKIN_ENDPOINT = "ZIPKIN_ENDPOINT";

    /** The variables that set one key each, applied first; the Jaeger and Zipkin ones then go over them. */
    private static final Map<String, String> ONE_TO_ONE = ordered("TRACING_SERVICE_NAME", "service_name",
            "TRACING_EXPORTER", "exporter", "TRACING_SAMPLE_RATE", "sample_rate", "TRACING_ONLY_ERRORS", "only_errors");

    @Override
    public String key() {
        return "tracing";
    }

    @Override
    public Class<ExportSettings> type() {
        return ExportSettings.class;
    }

    @Override
    public boolean extendsCore() {
        return true;
    }

    @Override
    public boolean active(ExportSettings settings) {
        return settings.exports();
    }

    @Override
    public Map<String, String> environment() {
        Map<String, String> all = new LinkedHashMap<>(ONE_TO_ONE);
        all.putAll(ordered(JAEGER_ENDPOINT, "endpoint", "JAEGER_SAMPLE_RATE", "sample_rate",
                JAEGER_AGENT_HOST, "endpoint", JAEGER_AGENT_PORT, "endpoint", ZIPKIN_ENDPOINT, "endpoint"));
        return all;
    }

    @Override
    public Map<String, String> fromEnvironment(Map<String, String> env, Consumer<String> warnings) {
        Map<String, String> keys = new LinkedHashMap<>();
        ONE_TO_ONE.forEach((variable, key) -> putIf(keys, key, get(env, variable)));
        String jaegerEndpoint = get(env, JAEGER_ENDPOINT);
        String agentHost = get(env, JAEGER_AGENT_HOST);
        if (jaegerEndpoint == null && agentHost != null) {
            // The Thrift agent protocol is retired upstream; Jaeger takes OTLP natively on 4317 since 1.35.
            String agentPort = get(env, JAEGER_AGENT_PORT);
            jaegerEndpoint = JaegerEndpoints.otlpGrpcForAgent(agentHost);
            warnings.accept("JAEGER_AGENT_HOST/JAEGER_AGENT_PORT name Jaeger's retired Thrift agent; sending OTLP to "
                    + jaegerEndpoint + " instead" + (agentPort == null ? "" : " (JAEGER_AGENT_PORT=" + agentPort
                    + " ignored)") + ". Set OTEL_EXPORTER_OTLP_ENDPOINT=" + jaegerEndpoint
                    + " (or tracing.endpoint) to silence this.");
            keys.put("protocol", "grpc");
        } else if (jaegerEndpoint != null && JaegerEndpoints.isThriftCollector(JAEGER_ENDPOINT, jaegerEndpoint)) {
            String otlp = JaegerEndpoints.otlpHttpFor(JAEGER_ENDPOINT, jaegerEndpoint);
            warnings.accept(JaegerEndpoints.thriftWarning(JAEGER_ENDPOINT, jaegerEndpoint, otlp));
            jaegerEndpoint = otlp;
            keys.put("protocol", "http/protobuf");
        }
        if (jaegerEndpoint != null) {
            keys.put("exporter", "jaeger");
            keys.put("endpoint", jaegerEndpoint);
        }
        putIf(keys, "sample_rate", get(env, "JAEGER_SAMPLE_RATE"));
        String zipkin = get(env, ZIPKIN_ENDPOINT);
        if (zipkin != null) {
            keys.put("exporter", "zipkin");
            keys.put("endpoint", zipkin);
        }
        return keys;
    }

    @Override
    public ExportSettings read(ConfigReader node) {
        ExportSettings d = ExportSettings.defaults();
        String serviceName = node.string("service_name", d.serviceName());
        String exporter = node.string("exporter", d.exporter());
        String endpoint = node.string("endpoint", d.endpoint());
        String protocol = node.string("protocol", d.protocol());
        boolean onlyErrors = node.bool("only_errors", d.onlyErrors());
        ConfigReader batchNode = node.child("batch");
        int queue = batchNode.integer("max_queue_size", d.batch().maxQueueSize(), 1,
                ExportSettings.Batch.MAX_SIZE);
        Duration delay = batchNode.duration("schedule_delay", d.batch().scheduleDelay(),
                ExportSettings.Batch.MIN_SCHEDULE_DELAY, ExportSettings.Batch.MAX_SCHEDULE_DELAY, "e.g. 5s");
        boolean batchSet = batchNode.has("max_export_batch_size");
        int exportBatch = batchNode.integer("max_export_batch_size", d.batch().maxExportBatchSize(), 1,
                ExportSettings.Batch.MAX_SIZE);
        batchNode.finish();
        boolean rateSet = node.has("sample_rate");
        double sampleRate = node.decimal("sample_rate", d.sampleRate());

        SeedJaeger jaeger = SeedJaeger.read(node.child("jaeger"));
        if (jaeger.present()) {
            List<String> mapped = new ArrayList<>();
            if (jaeger.endpoint() != null && endpoint == null) {
                endpoint = jaeger.endpoint();
                protocol = jaeger.protocol();
                mapped.add("tracing.endpoint: " + endpoint + ", tracing.protocol: " + protocol);
            }
            if (jaeger.sampleRate() != null && !rateSet) {
                sampleRate = jaeger.sampleRate();
                mapped.add("tracing.sample_rate: " + sampleRate);
            }
            if (jaeger.batchSize() != null && !batchSet) {
                exportBatch = Math.min(jaeger.batchSize(), queue);
                mapped.add("tracing.batch.max_export_batch_size: " + exportBatch);
            }
            node.warn("tracing.jaeger is the retired Jaeger client's section; read as " + (mapped.isEmpty()
                    ? "nothing, since today's keys are set" : String.join(", ", mapped) + jaeger.note())
                    + ". Write those keys instead of tracing.jaeger to silence this.");
        }
        if (endpoint != null && !endpoint.isBlank() && !exporter.contains("zipkin")
                && JaegerEndpoints.isThriftCollector(node.key("endpoint"), endpoint)) {
            String otlp = JaegerEndpoints.otlpHttpFor(node.key("endpoint"), endpoint);
            node.warn(JaegerEndpoints.thriftWarning(node.key("endpoint"), endpoint, otlp));
            endpoint = otlp;
            protocol = "http/protobuf";
        }
        Map<String, String> resource = node.stringMap("resource_attributes");
        Map<String, String> headers = node.stringMap("headers");
        // enabled is the core's key; read here too, to say that an exporter or endpoint alone exports nothing, and
        // for check-config to show what run exports.
        boolean enabled = node.bool("enabled", false);
        if (!enabled) {
            warnIfWhereSpansGoIsSet(node, node.has("exporter") ? exporter : null, endpoint);
        }
        ExportSettings.Batch batch = new ExportSettings.Batch(queue, exportBatch, delay);
        // The SDK reads OTEL_BSP_* over these keys: held to the same bounds, or a variable could set what they may not.
        BatchVariables.check(node.environment(), batch);
        return new ExportSettings(serviceName, exporter, endpoint, protocol, sampleRate, batch, resource, headers,
                onlyErrors, openTelemetry(node.environment()), enabled);
    }

    /**
     * One warning when tracing is off but an exporter (other than none) or an endpoint is set, from the file, a
     * variable or a flag: such as {@code --set tracing.exporter=console} to look at spans, which prints nothing so.
     */
    private static void warnIfWhereSpansGoIsSet(ConfigReader node, String exporter, String endpoint) {
        List<String> set = new ArrayList<>();
        if (exporter != null && !exporter.isBlank() && !exporter.trim().equalsIgnoreCase("none")) {
            set.add("tracing.exporter (" + exporter.trim() + ")");
        }
        if (endpoint != null && !endpoint.isBlank()) {
            set.add("tracing.endpoint");
        }
        if (set.isEmpty()) {
            return;
        }
        String value = node.environment().get("OTEL_SDK_DISABLED");
        String why = value != null && value.trim().equalsIgnoreCase("true")
                ? "OTEL_SDK_DISABLED=true turns it off, and only a --set tracing.enabled=true flag goes over that"
                : "tracing is opt-in: set tracing.enabled: true or TRACING_ENABLED=true to export spans";
        node.warn(String.join(" and ", set) + (set.size() > 1 ? " are" : " is") + " set but tracing is off (" + why
                + ")");
    }

    @Override
    public Map<String, Object> render(ExportSettings t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service_name", t.serviceName());
        out.put("exporter", t.exporter());
        out.put("endpoint", t.endpoint() == null ? null : Urls.redact(t.endpoint()));
        out.put("protocol", t.protocol());
        out.put("sample_rate", t.sampleRate());
        out.put("only_errors", t.onlyErrors());
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("max_queue_size", t.batch().maxQueueSize());
        batch.put("max_export_batch_size", t.batch().maxExportBatchSize());
        batch.put("schedule_delay", t.batch().scheduleDelay());
        out.put("batch", batch);
        out.put("resource_attributes", new TreeMap<>(t.resourceAttributes()));
        Map<String, String> headers = new TreeMap<>();
        t.headers().keySet().forEach(name -> headers.put(name, Secret.MASK));
        out.put("headers", headers);
        if (t.tracingEnabled()) {
            // Not keys of the file: what run exports to once the OTEL_* variables and -Dotel.* properties went over
            // the keys above (OTEL_TRACES_EXPORTER wins over tracing.exporter, even over a --set flag).
            out.put("in_effect", ExportsInEffect.resolve(t).render());
        }
        if (!t.environment().isEmpty()) {
            // Not keys of the file: the OTEL_* variables the OpenTelemetry SDK reads over the keys above.
            Map<String, String> environment = new TreeMap<>(t.maskedEnvironment());
            environment.replaceAll((name, value) -> name.contains("ENDPOINT") ? Urls.redact(value) : value);
            out.put("opentelemetry_environment", environment);
        }
        return out;
    }

    /** The {@code OTEL_*} variables, for the OpenTelemetry SDK (blank ones are unset, as the specification says). */
    private static Map<String, String> openTelemetry(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
                out.put(name, value.trim());
            }
        });
        return out;
    }

    private static String get(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static void putIf(Map<String, String> keys, String key, String value) {
        if (value != null) {
            keys.put(key, value);
        }
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }
}
