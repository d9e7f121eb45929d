package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.pgobserver.domain.spi.BindRefusals;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;

/**
 * The Prometheus scrape endpoint ({@code /metrics} on {@code metrics.host}:{@code metrics.port}) as a metric reader
 * that opens its port only when started: the meter provider is built with the injector (no I/O there), the HTTP
 * server comes with the lifecycle. Until then, and after a stop, the metrics are kept but nobody can scrape them.
 * OpenTelemetry's reader turns them into Prometheus' model; the Prometheus client's own HTTP server serves them,
 * since it binds port 0 and tells the port it got.
 */
final class PrometheusEndpoint extends PullReader {

    private final String host;
    private final int configuredPort;
    private volatile HTTPServer server;
    private volatile int port = -1;

    PrometheusEndpoint(String host, int port) {
        this.host = host;
        this.configuredPort = port;
    }

    /**
     * Opens the port.
     *
     * @throws IllegalArgumentException when the port is taken or the host is not an address of this machine, naming
     *         the setting to change ({@link BindRefusals})
     * @throws IllegalStateException when the port cannot be opened for another reason
     */
    synchronized void start() {
        if (server != null) {
            return;
        }
        CollectionRegistration registration = registration();
        if (registration == null) {
            throw new IllegalStateException("the Prometheus endpoint was never registered with a meter provider");
        }
        PrometheusMetricReader reader = PrometheusMetricReader.builder().build();
        reader.register(registration);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(reader);
        try {
            server = HTTPServer.builder().hostname(host).port(configuredPort).registry(registry).buildAndStart();
        } catch (IOException | RuntimeException e) {
            if (BindRefusals.isRefusal(e)) {
                // A setting to change (exit 2), not an outage to wait for.
                throw BindRefusals.refused("metrics.port", configuredPort, "metrics.host", host, e,
                        ", or set metrics.enabled: false");
            }
            throw new IllegalStateException("metrics.port " + configuredPort + " cannot be opened on " + host + ": "
                    + e.getMessage() + ": choose another port (0 picks a free one) or another metrics.host, or set "
                    + "metrics.enabled: false", e);
        }
        port = server.getPort();
    }

    /** The bound port, or -1 before start. */
    int port() {
        return port;
    }

    String host() {
        return host;
    }

    @Override
    public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        HTTPServer running = server;
        server = null;
        port = -1;
        super.shutdown();
        if (running != null) {
            running.close();
        }
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public String toString() {
        return "PrometheusEndpoint{" + host + ':' + (port >= 0 ? port : configuredPort) + '}';
    }
}
