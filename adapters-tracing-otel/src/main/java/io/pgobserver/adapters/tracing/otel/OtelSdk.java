package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK built by its own autoconfiguration, as any OpenTelemetry Java application builds it: the
 * file's keys are its lowest-precedence properties ({@link SdkProperties}), and the {@code OTEL_*} variables and
 * {@code otel.*} system properties go over them as the specification says. pg-observer adds to what it builds:
 * every network exporter behind a {@link GuardedSpanExporter}, the queue-drop reader, the Prometheus endpoint,
 * pg-observer's own exporters (console trees, Zipkin over URLConnection), and for {@code tracing.only_errors} the
 * {@link OnlyErrorsProcessor} in front of each span processor. The SDK's own telemetry is its current version,
 * whose batch processor counts dropped spans under the name the queue-drop reader reads; that version also has
 * the tracer provider count every span it starts and ends ({@code otel.sdk.span.started}, {@code
 * otel.sdk.span.live}), three counter updates and an exemplar offered per span on the event's thread, a quarter of
 * the event threads' span work in a drain's profile. Those counters are kept only when metrics are exported; with
 * metrics off nobody could read them, and the tracer provider reports to no meter. Building does no I/O;
 * {@link #start()} opens the scrape port and {@link #stop()} flushes and shuts down within {@link #SHUTDOWN_TIMEOUT}.
 */
final class OtelSdk {

    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** The stop's bound when a back-end is in trouble: long enough for one that just came back, as the stuck exit's. */
    static final Duration TROUBLED_SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);
    static final String INSTRUMENTATION_SCOPE = "io.pgobserver";
    private static final Logger LOG = LoggerFactory.getLogger(OtelSdk.class);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private final TracingSettings tracing;
    private final ExportSettings export;
    private final boolean active;
    private final OpenTelemetrySdk sdk;
    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;
    private final PrometheusEndpoint prometheus;
    private final QueueDropMonitor queueDrops;
    private final List<Export> exports = new CopyOnWriteArrayList<>();
    private final List<OnlyErrorsProcessor> onlyErrors = new CopyOnWriteArrayList<>();
    private final Tracer tracer;
    private final Metrics metrics;
    private volatile Resource resource = Resource.empty();
    private volatile Sampler sampler = Sampler.parentBased(Sampler.alwaysOn());
    /** The span processors as the SDK runs them, for the tracers of other services ({@link #tracerFor}). */
    private final List<SpanProcessor> processors = new CopyOnWriteArrayList<>();
    private final Map<String, ServiceTracer> services = new ConcurrentHashMap<>();

    /** A tracer provider of another service in this process, on the main provider's processors. */
    private record ServiceTracer(SdkTracerProvider provider, Tracer tracer) {
    }

    /** One exporter the SDK was given, behind its guard (null for the console, which cannot fail). */
    record Export(String description, GuardedSpanExporter guarded) {
    }

    private OtelSdk(TracingSettings tracing, ExportSettings export, MetricsSettings metricsSettings,
                    PrintStream console) {
        this.tracing = tracing;
        this.export = export;
        this.active = tracing.enabled() && export.exports();
        queueDrops = new QueueDropMonitor(export.batch().maxQueueSize());
        prometheus = metricsSettings.prometheus() ? new PrometheusEndpoint(metricsSettings.host(), metricsSettings.port()) : null;
        SdkProperties.refuseSecondPrometheus(export.environment());
        Resource fileResource = fileResource(export);
        AutoConfiguredOpenTelemetrySdk auto;
        try {
            auto = SdkProperties.layered(AutoConfiguredOpenTelemetrySdk.builder(), export, active, metricsSettings)
                    .setComponentLoader(SpanExporters.components(console))
                    // The file's attributes under the SDK's (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME): these win.
                    .addResourceCustomizer((resource, config) -> {
                        this.resource = fileResource.merge(resource);
                        return this.resource;
                    })
                    .addMeterProviderCustomizer((builder, config) -> {
                        queueDrops.maxQueueSize(config.getInt("otel.bsp.max.queue.size", export.batch().maxQueueSize()));
                        builder.registerMetricReader(queueDrops);
                        if (prometheus != null) {
                            builder.registerMetricReader(prometheus);
                        }
                        return builder;
                    })
                    .addTracerProviderCustomizer((builder, config) -> metricsSettings.enabled() ? builder
                            : builder.setMeterProvider(MeterProvider::noop))
                    .addSpanExporterCustomizer((exporter, config) -> guard(exporter, config))
                    .addSamplerCustomizer((sampler, config) -> {
                        this.sampler = export.onlyErrors() ? new RecordingSampler(sampler) : sampler;
                        return this.sampler;
                    })
                    .addSpanProcessorCustomizer((processor, config) -> {
                        SpanProcessor customized = onlyErrors(processor, config);
                        processors.add(customized);
                        return customized;
                    })
                    .disableShutdownHook()
                    .build();
        } catch (ConfigurationException e) {
            throw SdkConfigurationErrors.of(e, export.environment());
        }
        sdk = auto.getOpenTelemetrySdk();
        tracerProvider = sdk.getSdkTracerProvider();
        meterProvider = sdk.getSdkMeterProvider();
        metrics = metricsSettings.enabled() ? new OtelMetrics(meterProvider.get(INSTRUMENTATION_SCOPE)) : Metrics.NOOP;
        if (metricsSettings.enabled() && export.onlyErrors()) {
            meterProvider.get(INSTRUMENTATION_SCOPE).gaugeBuilder("pgobserver.tracing.held_spans").ofLongs()
                    .setDescription("Ended spans tracing.only_errors holds until their event's tree ends")
                    .setUnit("{span}").buildWithCallback(m -> m.record(heldSpans()));
        }
        tracer = active ? new OtelTracer(tracerProvider.get(INSTRUMENTATION_SCOPE), tracing.components(),
                sdk.getPropagators().getTextMapPropagator(), this::tracerFor)
                : Tracer.noop();
    }

    static OtelSdk create(TracingSettings tracing, ExportSettings export, MetricsSettings metrics,
                          PrintStream console) {
        return new OtelSdk(tracing, export, metrics, console);
    }

    private SpanExporter guard(SpanExporter exporter, ConfigProperties config) {
        if (exporter instanceof ConsoleTreeExporter) {
            exports.add(new Export("console", null));
            return exporter;
        }
        String description = SpanExporters.describe(exporter, config);
        boolean retries = !config.getBoolean("otel.java.exporter.otlp.retry.disabled", false);
        UnaryOperator<String> meaning = SpanExporters.tlsWithoutClientCertificate(exporter, config)
                ? OtlpTlsFailure::closedWithoutClientCertificate : UnaryOperator.identity();
        GuardedSpanExporter guarded = new GuardedSpanExporter(description,
                willRetry -> FailedAttempts.watched(exporter, retries, willRetry), queueDrops, meaning);
        exports.add(new Export(description, guarded));
        return guarded;
    }

    private SpanProcessor onlyErrors(SpanProcessor processor, ConfigProperties config) {
        if (!export.onlyErrors()) {
            return processor;
        }
        OnlyErrorsProcessor held = new OnlyErrorsProcessor(processor, keepsSampledSuccesses(config),
                config.getInt("otel.bsp.max.queue.size", export.batch().maxQueueSize()));
        onlyErrors.add(held);
        return held;
    }

    /**
     * With only_errors an event that went wrong is kept whatever the sampler says, and one that went right when the
     * sampler sampled it; but a sampler that samples everything ({@code always_on}, a ratio of 1.0: the default
     * {@code sample_rate}) keeps no error-free event, or only_errors would mean nothing.
     */
    static boolean keepsSampledSuccesses(ConfigProperties config) {
        String sampler = config.getString("otel.traces.sampler", "parentbased_always_on").toLowerCase(Locale.ROOT);
        if (sampler.equals("always_on") || sampler.equals("parentbased_always_on")) {
            return false;
        }
        return !sampler.endsWith("traceidratio") || config.getDouble("otel.traces.sampler.arg", 1.0) < 1.0;
    }

    private static Resource fileResource(ExportSettings export) {
        AttributesBuilder attributes = Attributes.builder();
        for (Map.Entry<String, String> entry : export.resourceAttributes().entrySet()) {
            attributes.put(entry.getKey(), entry.getValue());
        }
        return Resource.create(attributes.build());
    }

    /**
     * The tracer of another service in this process: same sampler, same processors and exporters, its own
     * {@code service.name}. The processors stay the main provider's to flush and shut down.
     */
    private Tracer tracerFor(String serviceName) {
        if (serviceName.equals(serviceName())) {
            return tracer;
        }
        return services.computeIfAbsent(serviceName, name -> {
            SdkTracerProvider provider = SdkTracerProvider.builder()
                    .setResource(resource.merge(Resource.create(Attributes.of(SERVICE_NAME, name))))
                    .setSampler(sampler)
                    .addSpanProcessor(new SharedProcessor(SpanProcessor.composite(processors)))
                    .build();
            return new ServiceTracer(provider, new OtelTracer(provider.get(INSTRUMENTATION_SCOPE),
                    tracing.components(), sdk.getPropagators().getTextMapPropagator()));
        }).tracer();
    }

    /** The service name as the SDK resolved it (OTEL_SERVICE_NAME over tracing.service_name). */
    String serviceName() {
        return resource.getAttribute(SERVICE_NAME);
    }

    Tracer tracer() {
        return tracer;
    }

    Metrics metrics() {
        return metrics;
    }

    /** Opens the Prometheus port when metrics are on; logs where telemetry goes. */
    void start() {
        if (prometheus != null) {
            prometheus.start();
            LOG.info("metrics: Prometheus endpoint on http://{}:{}/metrics", prometheus.host(), prometheus.port());
        }
        if (active) {
            LOG.info("tracing: service {} exporting to {}{}", serviceName(),
                    exports.stream().map(Export::description).toList(),
                    export.onlyErrors() ? ", only events with errors" : "");
        } else {
            LOG.info("tracing: off (enabled={}, exporter={})", tracing.enabled(), export.exporter());
        }
    }

    /**
     * Exports what is queued and shuts everything down, all within one bound ({@link #SHUTDOWN_TIMEOUT}, or
     * {@link #TROUBLED_SHUTDOWN_TIMEOUT} once an exporter's back-end is in trouble: it failed its last export, or has
     * left the one sent unanswered for a few seconds, also one sent just before the stop or during it. A hung back-end
     * would take the whole bound for nothing, and hold the exit); never throws.
     */
    void stop() {
        ShutdownWait wait = new ShutdownWait(SHUTDOWN_TIMEOUT, TROUBLED_SHUTDOWN_TIMEOUT, () -> exports.stream()
                .map(Export::guarded).filter(Objects::nonNull).anyMatch(GuardedSpanExporter::inTrouble));
        services.values().forEach(service -> service.provider().shutdown());
        Duration bound = wait.await(tracerProvider.shutdown());
        if (bound != null) {
            LOG.warn("tracing: spans still queued after {} at shutdown were dropped ({})", Durations.format(bound),
                    bound.equals(TROUBLED_SHUTDOWN_TIMEOUT) ? "the back-end failed its last export, or left one"
                            + " unanswered for " + Durations.format(ExportOutage.UNANSWERED) : "back-end slow or unreachable");
        }
        // Failures and drops of the last minute were counted but, rate-limited, not yet logged: nothing later would.
        exports.stream().map(Export::guarded).filter(Objects::nonNull).forEach(GuardedSpanExporter::closing);
        queueDrops.reportAtShutdown();
        // The same bound: metrics pushed to the same hung back-end must not add their own wait to the exit's.
        meterProvider.shutdown().join(wait.leftMillis(), TimeUnit.MILLISECONDS);
        sdk.getSdkLoggerProvider().shutdown().join(wait.leftMillis(), TimeUnit.MILLISECONDS);
    }

    /** The bound Prometheus port, or -1 when metrics are off or not started. */
    int prometheusPort() {
        return prometheus == null ? -1 : prometheus.port();
    }

    QueueDropMonitor queueDrops() {
        return queueDrops;
    }

    SdkTracerProvider tracerProvider() {
        return tracerProvider;
    }

    List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Spans tracing.only_errors holds now, across its processors. */
    long heldSpans() {
        return onlyErrors.stream().mapToLong(OnlyErrorsProcessor::heldSpans).sum();
    }

    List<OnlyErrorsProcessor> onlyErrorsProcessors() {
        return List.copyOf(onlyErrors);
    }
}
