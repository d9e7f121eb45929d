package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;

/** Starts the OpenTelemetry SDK's I/O (the scrape port) first, and flushes spans last. */
final class OtelLifecycle implements Lifecycle {

    private final OtelSdk sdk;

    @Inject
    OtelLifecycle(OtelSdk sdk) {
        this.sdk = sdk;
    }

    @Override
    public String name() {
        return "opentelemetry";
    }

    @Override
    public int order() {
        return ORDER_TELEMETRY;
    }

    @Override
    public void start() {
        sdk.start();
    }

    @Override
    public void stop() {
        sdk.stop();
    }

    /**
     * The service and where its spans go, as the SDK was built:
     * {@code opentelemetry service pg-observer [otlp grpc http://collector:4317]}.
     */
    @Override
    public String toString() {
        return "opentelemetry service " + sdk.serviceName() + " " + sdk.exports().stream().map(OtelSdk.Export::description).sorted().toList();
    }

    OtelSdk sdk() {
        return sdk;
    }
}
