package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The Prometheus scrape endpoint ({@code /metrics} on {@code metrics.port}) as a metric reader that opens its
 * port only when started: the meter provider is built with the injector (no I/O there), the HTTP server comes
 * with the lifecycle. Until then, and after a stop, the metrics are kept but nobody can scrape them.
 */
final class PrometheusEndpoint extends PullReader {

    private final String host;
    private final int configuredPort;
    private volatile PrometheusHttpServer server;
    private volatile int port = -1;

    PrometheusEndpoint(String host, int port) {
        this.host = host;
        this.configuredPort = port;
    }

    /**
     * Opens the port.
     *
     * @throws IllegalStateException when the port cannot be bound, naming the setting to change
     */
    synchronized void start() {
        if (server != null) {
            return;
        }
        CollectionRegistration registration = registration();
        if (registration == null) {
            throw new IllegalStateException("the Prometheus endpoint was never registered with a meter provider");
        }
        // PrometheusHttpServer does not tell the port it bound, so 0 is resolved to a free port here.
        int chosen = configuredPort == 0 ? freePort() : configuredPort;
        PrometheusHttpServer started;
        try {
            started = PrometheusHttpServer.builder().setHost(host).setPort(chosen)
                    .setMemoryMode(MemoryMode.IMMUTABLE_DATA).build();
        } catch (RuntimeException e) {
            throw new IllegalStateException("metrics.port " + chosen + " cannot be opened on " + host
                    + " (in use, or not allowed): choose another port (0 picks a free one) or set"
                    + " metrics.enabled: false", e);
        }
        started.register(registration);
        server = started;
        port = chosen;
    }

    /** The bound port, or -1 before start. */
    int port() {
        return port;
    }

    String host() {
        return host;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for the Prometheus endpoint", e);
        }
    }

    @Override
    public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        PrometheusHttpServer running = server;
        server = null;
        port = -1;
        super.shutdown();
        return running == null ? CompletableResultCode.ofSuccess() : running.shutdown();
    }

    @Override
    public String toString() {
        return "PrometheusEndpoint{" + host + ':' + (port >= 0 ? port : configuredPort) + '}';
    }
}
