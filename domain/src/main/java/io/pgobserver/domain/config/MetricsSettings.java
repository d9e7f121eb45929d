package io.pgobserver.domain.config;

/**
 * The {@code metrics:} settings.
 *
 * @param enabled whether metrics are recorded and exposed
 * @param port    the Prometheus scrape port ({@code /metrics}); 0 picks a free port
 */
public record MetricsSettings(boolean enabled, int port) {

    public MetricsSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics.port must be 0-65535, was " + port);
        }
    }

    public static MetricsSettings defaults() {
        return new MetricsSettings(true, 9464);
    }
}
