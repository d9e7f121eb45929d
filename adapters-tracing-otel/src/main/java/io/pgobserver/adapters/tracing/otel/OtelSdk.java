package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK as the settings describe it: a tracer provider with the configured exporters and
 * sampler, a meter provider with the Prometheus endpoint, and what the domain sees of them ({@link Tracer},
 * {@link Metrics}). Building does no I/O; {@link #start()} opens the scrape port and {@link #stop()} flushes
 * and shuts down within {@link #SHUTDOWN_TIMEOUT}.
 */
final class OtelSdk {

    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    static final String INSTRUMENTATION_SCOPE = "io.pgobserver";
    private static final Logger LOG = LoggerFactory.getLogger(OtelSdk.class);

    private final TracingSettings tracing;
    private final SdkTracerProvider tracerProvider;
    private final SdkMeterProvider meterProvider;
    private final PrometheusEndpoint prometheus;
    private final QueueDropMonitor queueDrops;
    private final List<SpanExporters.Export> exports;
    private final Tracer tracer;
    private final Metrics metrics;

    private OtelSdk(TracingSettings tracing, MetricsSettings metricsSettings, PrintStream console,
                    SpanExporter exporterOverride) {
        this.tracing = tracing;
        Resource resource = resource(tracing);
        queueDrops = new QueueDropMonitor(tracing.maxQueueSize());
        // One meter provider for the pipeline's metrics and the SDK's own (queue sizes, dropped spans); the
        // Prometheus endpoint reads it only when metrics are on, the drop monitor always.
        SdkMeterProviderBuilder meters = SdkMeterProvider.builder().setResource(resource).registerMetricReader(queueDrops);
        prometheus = metricsSettings.enabled() ? new PrometheusEndpoint("0.0.0.0", metricsSettings.port()) : null;
        if (prometheus != null) {
            meters.registerMetricReader(prometheus);
        }
        meterProvider = meters.build();
        metrics = metricsSettings.enabled() ? new OtelMetrics(meterProvider.get(INSTRUMENTATION_SCOPE)) : Metrics.NOOP;

        if (tracing.active()) {
            exports = SpanExporters.create(tracing, console, meterProvider, queueDrops, exporterOverride);
            tracerProvider = SdkTracerProvider.builder()
                    .setResource(resource)
                    .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(tracing.sampleRate())))
                    .addSpanProcessor(SpanProcessor.composite(exports.stream().map(SpanExporters.Export::processor).toList()))
                    .build();
            tracer = new OtelTracer(tracerProvider.get(INSTRUMENTATION_SCOPE), tracing.components());
        } else {
            exports = List.of();
            tracerProvider = null;
            tracer = Tracer.noop();
        }
    }

    /**
     * @throws IllegalArgumentException when a setting cannot work (an endpoint that is not a URL), naming it
     */
    static OtelSdk create(TracingSettings tracing, MetricsSettings metrics, PrintStream console) {
        return new OtelSdk(tracing, metrics, console, null);
    }

    /**
     * @param exporterOverride replaces the network exporters (see {@link OtelTracingModule#EXPORTER_OVERRIDE}),
     *                         or null
     */
    static OtelSdk create(TracingSettings tracing, MetricsSettings metrics, PrintStream console,
                          SpanExporter exporterOverride) {
        return new OtelSdk(tracing, metrics, console, exporterOverride);
    }

    static Resource resource(TracingSettings tracing) {
        AttributesBuilder attributes = Attributes.builder();
        for (Map.Entry<String, String> entry : tracing.resourceAttributes().entrySet()) {
            attributes.put(entry.getKey(), entry.getValue());
        }
        // tracing.service_name wins over a service.name among the resource attributes, as OTEL_SERVICE_NAME does.
        attributes.put(AttributeKey.stringKey("service.name"), tracing.serviceName());
        return Resource.getDefault().merge(Resource.create(attributes.build()));
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
        if (tracing.active()) {
            LOG.info("tracing: service {} exporting to {}, sample rate {}", tracing.serviceName(),
                    exports.stream().map(SpanExporters.Export::description).toList(), tracing.sampleRate());
        } else {
            LOG.info("tracing: off (enabled={}, exporter={})", tracing.enabled(), tracing.exporter());
        }
    }

    /** Exports what is queued and shuts everything down, giving up after {@link #SHUTDOWN_TIMEOUT}; never throws. */
    void stop() {
        if (tracerProvider != null) {
            CompletableResultCode done = tracerProvider.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!done.isDone()) {
                LOG.warn("tracing: spans still queued after {} s at shutdown were dropped (backend slow or unreachable)",
                        SHUTDOWN_TIMEOUT.toSeconds());
            }
        }
        queueDrops.checkNow();
        meterProvider.shutdown().join(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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

    List<SpanExporters.Export> exports() {
        return exports;
    }
}
