package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** Settings for tests: a short schedule delay so batches leave quickly. */
final class TestSettings {

    static final MetricsSettings NO_METRICS = new MetricsSettings(false, 0);

    private TestSettings() {
    }

    static TracingSettings tracing(String exporter, String endpoint, String protocol, double sampleRate) {
        return new TracingSettings(true, "pg-observer-test", exporter, endpoint, protocol, sampleRate, 2048, 512,
                Duration.ofMillis(200), null, null, null, Map.of("deployment.environment", "test"));
    }

    /** OTLP settings that send an API-key header, as a hosted backend wants. */
    static TracingSettings withApiKey(String exporter, String endpoint, String protocol) {
        return new TracingSettings(true, "pg-observer-test", exporter, endpoint, protocol, 1.0, 2048, 512,
                Duration.ofMillis(200), null, null, null, Map.of("deployment.environment", "test"),
                Map.of("x-api-key", API_KEY));
    }

    static final String API_KEY = "k3y-for-tests";

    static TracingSettings tracing(String exporter, Set<Tracer.Component> components) {
        return new TracingSettings(true, "pg-observer-test", exporter, null, "grpc", 1.0, 2048, 512,
                Duration.ofMillis(200), components, null, null, null);
    }
}
