package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Settings for tests: tracing on, and a short schedule delay so batches leave quickly. */
final class TestSettings {

    static final MetricsSettings NO_METRICS = new MetricsSettings(false, 0);
    /** The core's half: tracing on, every component. */
    static final TracingSettings ON = new TracingSettings(true, null, null, null);
    static final ExportSettings.Batch QUICK = new ExportSettings.Batch(2048, 512, Duration.ofMillis(200));
    static final String API_KEY = "k3y-for-tests";

    private TestSettings() {
    }

    static ExportSettings tracing(String exporter, String endpoint, String protocol, double sampleRate) {
        return new ExportSettings("pg-observer-test", exporter, endpoint, protocol, sampleRate, QUICK,
                Map.of("deployment.environment", "test"), null, false, null, true);
    }

    /** OTLP settings that send an API-key header, as a hosted backend wants. */
    static ExportSettings withApiKey(String exporter, String endpoint, String protocol) {
        return new ExportSettings("pg-observer-test", exporter, endpoint, protocol, 1.0, QUICK,
                Map.of("deployment.environment", "test"), Map.of("x-api-key", API_KEY), false, null, true);
    }

    /** Each exporter as run's start line describes it, from the SDK as OtelSdk builds it. */
    static List<String> built(ExportSettings export) {
        OtelSdk sdk = OtelSdk.create(ON, export, NO_METRICS, System.out);
        try {
            return sdk.exports().stream().map(OtelSdk.Export::description).toList();
        } finally {
            sdk.stop();
        }
    }
}
