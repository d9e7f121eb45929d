package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.observer.Urls;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where {@code run} sends spans, as {@code check-config} shows it: the SDK's autoconfiguration resolves its
 * properties with the same layers as for {@code run} ({@link SdkProperties#layered}), {@code OTEL_*} variables and
 * {@code -Dotel.*} properties over the file's keys and {@code --set} flags, and the endpoints are read from them as
 * the exporters read them ({@link SpanExporters}). Endpoints are redacted.
 *
 * @param exporter   the exporters, comma-separated; {@code none} when spans go nowhere
 * @param endpoints  each network exporter's endpoint, in order
 * @param protocol   the OTLP transport for {@code otlp} and {@code jaeger}; null without either
 * @param sampler    the SDK's sampler name ({@code parentbased_traceidratio})
 * @param samplerArg its argument, for the ratio samplers; else null
 */
record ExportsInEffect(String exporter, Map<String, String> endpoints, String protocol, String sampler,
                       Double samplerArg) {

    private static final List<String> OTLP = List.of("otlp", "jaeger");

    /** What the SDK would be built with for these settings and this process's environment; builds nothing. */
    static ExportsInEffect resolve(ExportSettings export) {
        boolean active = export.tracingEnabled() && export.exports();
        AtomicReference<ConfigProperties> resolved = new AtomicReference<>();
        SdkProperties.layered(AutoConfiguredOpenTelemetrySdk.builder(), export, active, MetricsSettings.defaults())
                .addPropertiesCustomizer(config -> {
                    resolved.set(config);
                    // Everything is resolved: a disabled SDK makes no exporter, processor or thread.
                    return Map.of("otel.sdk.disabled", "true");
                })
                .disableShutdownHook()
                .build();
        return of(resolved.get());
    }

    static ExportsInEffect of(ConfigProperties config) {
        List<String> exporters = config.getList("otel.traces.exporter", List.of("otlp")).stream()
                .map(name -> name.trim().toLowerCase(Locale.ROOT)).filter(name -> !name.equals("none")).toList();
        if (exporters.isEmpty()) {
            return new ExportsInEffect("none", Map.of(), null, null, null);
        }
        String protocol = config.getString("otel.exporter.otlp.traces.protocol",
                config.getString("otel.exporter.otlp.protocol", "grpc"));
        Map<String, String> endpoints = new LinkedHashMap<>();
        for (String name : exporters) {
            if (OTLP.contains(name)) {
                endpoints.put(name, Urls.redact(SpanExporters.otlpEndpoint(config, protocol.equals("grpc"))));
            } else if (name.equals("zipkin")) {
                endpoints.put(name, Urls.redact(SpanExporters.zipkinEndpoint(config.getString(SpanExporters.ZIPKIN_ENDPOINT))));
            }
        }
        String sampler = config.getString("otel.traces.sampler", "parentbased_always_on");
        Double arg = sampler.endsWith("traceidratio") ? config.getDouble("otel.traces.sampler.arg", 1.0) : null;
        return new ExportsInEffect(String.join(",", exporters), endpoints,
                exporters.stream().anyMatch(OTLP::contains) ? protocol : null, sampler, arg);
    }

    /** As {@code check-config} prints it: one endpoint as a URL, several by exporter. */
    Map<String, Object> render() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("exporter", exporter);
        if (exporter.equals("none")) {
            return out;
        }
        out.put("endpoint", endpoints.size() == 1 ? endpoints.values().iterator().next()
                : endpoints.isEmpty() ? null : endpoints);
        out.put("protocol", protocol);
        out.put("sampler", sampler);
        if (samplerArg != null) {
            out.put("sampler_arg", samplerArg);
        }
        return out;
    }
}
