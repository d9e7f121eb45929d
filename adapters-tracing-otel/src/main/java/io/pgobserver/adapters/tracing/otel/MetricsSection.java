package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The adapter's half of {@code metrics:}: how the metrics it records are served. The core reads {@code enabled}
 * (it chooses this adapter, and {@code metrics: { enabled: false }} needs no adapter); this reads the same mapping's
 * {@code port}, {@code host} and {@code exporter}, with {@code enabled} again so the settings it binds are whole.
 */
final class MetricsSection implements ConfigSection<MetricsSettings> {

    @Override
    public String key() {
        return "metrics";
    }

    @Override
    public Class<MetricsSettings> type() {
        return MetricsSettings.class;
    }

    @Override
    public boolean extendsCore() {
        return true;
    }

    @Override
    public MetricsSettings read(ConfigReader section) {
        MetricsSettings d = MetricsSettings.defaults();
        return new MetricsSettings(section.bool("enabled", d.enabled()), section.integer("port", d.port(), 0, 65535),
                section.string("exporter", d.exporter()), section.string("host", d.host()));
    }

    /** The adapter's keys; the core prints {@code enabled} before them. */
    @Override
    public Map<String, Object> render(MetricsSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("port", settings.port());
        out.put("host", settings.host());
        out.put("exporter", settings.exporter());
        return out;
    }
}
