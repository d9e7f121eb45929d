package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.spi.ConfigReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A section as the core hands it over, from nested maps of strings: enough of {@link ConfigReader} for
 * {@link TracingSection#read}, with the warnings it gives kept.
 */
record MapConfigReader(String path, Map<String, Object> values, Map<String, String> environment, List<String> warnings)
        implements ConfigReader {

    static MapConfigReader tracing(Map<String, Object> values, Map<String, String> environment) {
        return new MapConfigReader("tracing", values, environment, new ArrayList<>());
    }

    @Override
    public String key(String name) {
        return path + "." + name;
    }

    @Override
    public boolean has(String name) {
        return values.containsKey(name);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ConfigReader child(String name) {
        Object child = values.get(name);
        return new MapConfigReader(key(name), child instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of(),
                environment, warnings);
    }

    @Override
    public String string(String name, String fallback) {
        Object value = values.get(name);
        return value == null ? fallback : value.toString();
    }

    @Override
    public Object tree(String name) {
        return values.get(name);
    }

    @Override
    public String requiredString(String name, String hint) {
        return string(name, null);
    }

    @Override
    public boolean bool(String name, boolean fallback) {
        return has(name) ? Boolean.parseBoolean(string(name, null)) : fallback;
    }

    @Override
    public int integer(String name, int fallback, int min, int max) {
        return has(name) ? Integer.parseInt(string(name, null)) : fallback;
    }

    @Override
    public double decimal(String name, double fallback) {
        return has(name) ? Double.parseDouble(string(name, null)) : fallback;
    }

    @Override
    public Duration duration(String name, Duration fallback) {
        return has(name) ? Duration.parse(string(name, null)) : fallback;
    }

    @Override
    public List<String> strings(String name) {
        return List.of();
    }

    @Override
    public Map<String, String> stringMap(String name) {
        return Map.of();
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    @Override
    public void finish() {
        // nothing to check: the tests write only known keys
    }

    @Override
    public String canonical() {
        return values.toString();
    }
}
