package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.pgobserver.domain.config.ByteSizes;
import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.observer.Urls;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective configuration as YAML, for {@code check-config}: every setting with its value after defaults,
 * file, environment and flags, and every secret masked — passwords, tokens, webhook secrets, Slack webhook
 * URLs, and credentials or query strings in any URL. The core prints its own keys; each adapter's section and
 * action renders itself, and {@link #printable} masks what it hands back.
 */
public final class EffectiveConfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private EffectiveConfig() {
    }

    public static String render(Configuration config) {
        try {
            return YAML.writeValueAsString(tree(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the configuration", e);
        }
    }

    /** One printed value by its dotted key, such as {@code tracing.exporter}; null when absent. */
    public static String value(Configuration config, String key) {
        Object node = tree(config);
        for (String part : key.split("\\.")) {
            node = node instanceof Map<?, ?> map ? map.get(part) : null;
        }
        return node == null ? null : String.valueOf(node);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree(Configuration config) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> listener = new LinkedHashMap<>();
        listener.put("consumer", config.listener().consumer());
        listener.put("batch_size", config.listener().batchSize());
        listener.put("poll_interval", duration(config.listener().pollInterval()));
        listener.put("max_in_flight", config.listener().maxInFlight());
        listener.put("max_pending", config.listener().maxPending());
        listener.put("max_pending_bytes", ByteSizes.format(config.listener().pendingBytesLimit()));
        listener.put("checkpoint_interval", duration(config.listener().checkpointInterval()));
        listener.put("retention", config.listener().retention() == null ? null : duration(config.listener().retention()));
        listener.put("park_after", duration(config.listener().parkAfter()));
        listener.put("max_parked", config.listener().parkedLimit());
        listener.put("capture_check_interval", duration(config.listener().captureCheckInterval()));
        listener.put("deduplicate", config.deduplicate());
        root.put("listener", listener);
        Map<String, Object> tracing = tracing(config.tracing());
        root.put("tracing", tracing);
        Map<String, Object> metrics = ordered("enabled", config.metrics().enabled());
        root.put("metrics", metrics);
        root.put("admin", ordered("port", config.adminPort()));
        for (Configuration.AdapterSettings section : config.adapterSettings()) {
            if (section.section().extendsCore()) {
                // The adapter's keys of a core section, after the core's enabled and before the core's other keys
                // (tracing's span filters).
                Map<String, Object> core = section.section().key().equals("metrics") ? metrics : tracing;
                Map<String, Object> merged = new LinkedHashMap<>();
                merged.put("enabled", core.remove("enabled"));
                merged.putAll((Map<String, Object>) printable(section.render()));
                merged.putAll(core);
                core.clear();
                core.putAll(merged);
            } else {
                root.put(section.section().key(), printable(section.render()));
            }
        }
        Map<String, Object> observers = new LinkedHashMap<>();
        for (Configuration.ObserverDefinition o : config.observers()) {
            Map<String, Object> observer = new LinkedHashMap<>();
            observer.put("entity", o.entity());
            observer.put("on", o.on().stream().map(k -> k.wireName()).sorted().toList());
            observer.put("condition", o.condition());
            observer.put("ordering", o.ordering().wireName());
            List<Object> actions = new ArrayList<>();
            for (Configuration.ConfiguredAction action : o.actions()) {
                Map<String, Object> printed = new LinkedHashMap<>();
                printed.put("id", action.key());
                printed.put("type", action.spec().type());
                printed.putAll(action.render());
                actions.add(printable(printed));
            }
            observer.put("actions", actions);
            observer.put("retry", ordered("max_attempts", o.retry().maxAttempts(),
                    "initial_backoff", duration(o.retry().initialBackoff()),
                    "max_backoff", duration(o.retry().maxBackoff()),
                    "multiplier", o.retry().multiplier()));
            observers.put(o.name(), observer);
        }
        root.put("observers", observers);
        return root;
    }

    /** The core's keys of {@code tracing:}; the tracing adapter's section prints the rest. */
    private static Map<String, Object> tracing(TracingSettings t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", t.enabled());
        Map<String, Object> components = new TreeMap<>();
        for (var c : io.pgobserver.domain.trace.Tracer.Component.values()) {
            components.put(c.name().toLowerCase(Locale.ROOT), t.components().contains(c));
        }
        out.put("components", components);
        out.put("entities", t.entities().stream().sorted().toList());
        out.put("kinds", t.kinds().stream().map(k -> k.wireName()).sorted().toList());
        return out;
    }

    /**
     * What an adapter rendered, made printable and safe: {@link Secret}s masked, URLs redacted (credentials and
     * query strings), durations as the configuration writes them. An adapter hands values back as they are and
     * cannot leak a secret by forgetting to mask it.
     */
    static Object printable(Object value) {
        return switch (value) {
            case null -> null;
            case Secret secret -> Secret.MASK;
            case URI uri -> Urls.redact(uri);
            case Duration d -> duration(d);
            case Path path -> path.toString();
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), printable(v)));
                yield out;
            }
            case Collection<?> list -> list.stream().map(EffectiveConfig::printable).toList();
            default -> value;
        };
    }

    /** A mapping in the order given: {@code Map.of} would print in a different order on every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    /** A duration as the configuration writes it: 500ms, 1s, 2m, 1h. */
    static String duration(Duration d) {
        return Durations.format(d);
    }
}
