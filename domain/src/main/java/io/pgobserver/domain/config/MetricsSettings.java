package io.pgobserver.domain.config;

import java.util.Locale;
import java.util.Set;

/**
 * The {@code metrics:} settings: the pipeline's metrics, recorded whether tracing is on or off.
 *
 * @param enabled  whether metrics are recorded and exposed; off by default, as tracing is
 * @param port     the Prometheus scrape port ({@code /metrics}); 0 picks a free port
 * @param exporter {@code prometheus} (the scrape port), {@code otlp} (pushed to the OTLP endpoint) or both as
 *                 {@code prometheus,otlp}
 * @param host     the address the scrape port is bound to: every interface ({@value #ALL_INTERFACES}, the
 *                 default, since the scraper is usually another host or pod) or one, such as {@code 127.0.0.1}
 */
public record MetricsSettings(boolean enabled, int port, String exporter, String host) {

    public static final String ALL_INTERFACES = "0.0.0.0";

    public static final Set<String> EXPORTERS = Set.of("prometheus", "otlp");

    public MetricsSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics.port must be 0-65535, was " + port);
        }
        exporter = exporter == null ? "prometheus" : exporter.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        host = host == null ? ALL_INTERFACES : host.trim();
        if (host.isEmpty()) {
            throw new IllegalArgumentException("metrics.host must not be blank: give an address such as 127.0.0.1,"
                    + " or leave it out for every interface (" + ALL_INTERFACES + ")");
        }
        for (String name : exporter.split(",", -1)) {
            if (!EXPORTERS.contains(name)) {
                throw new IllegalArgumentException("metrics.exporter '" + name
                        + "' is not one of prometheus, otlp (both: prometheus,otlp)");
            }
        }
    }

    public MetricsSettings(boolean enabled, int port) {
        this(enabled, port, "prometheus", ALL_INTERFACES);
    }

    public static MetricsSettings defaults() {
        return new MetricsSettings(false, 9464, "prometheus", ALL_INTERFACES);
    }

    /** Whether the Prometheus scrape port is opened. */
    public boolean prometheus() {
        return enabled && exporter.contains("prometheus");
    }

    /** Whether metrics are pushed over OTLP. */
    public boolean otlp() {
        return enabled && exporter.contains("otlp");
    }
}
