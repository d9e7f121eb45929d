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

    static TracingSettings tracing(String exporter, Set<Tracer.Component> components) {
        return new TracingSettings(true, "pg-observer-test", exporter, null, "grpc", 1.0, 2048, 512,
                Duration.ofMillis(200), components, null, null, null);
    }
}
