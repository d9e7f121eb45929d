package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.pgobserver.domain.config.ActionsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.EmailAction;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.observer.SlackAction;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.observer.WebhookAction;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effective configuration as YAML, for {@code check-config}: every setting with its value after defaults,
 * file, environment and flags, and every secret masked — passwords, tokens, webhook secrets, Slack webhook
 * URLs, and credentials or query strings in any URL.
 */
public final class EffectiveConfig {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private EffectiveConfig() {
    }

    public static String render(Configuration config) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> database = new LinkedHashMap<>();
        if (config.database() != null) {
            database.put("url", "jdbc:" + redactJdbc(config.database().url()));
            database.put("user", config.database().user());
            database.put("password", mask(config.database().password()));
        }
        root.put("database", database);
        Map<String, Object> listener = new LinkedHashMap<>();
        listener.put("consumer", config.listener().consumer());
        listener.put("batch_size", config.listener().batchSize());
        listener.put("poll_interval", duration(config.listener().pollInterval()));
        listener.put("max_in_flight", config.listener().maxInFlight());
        listener.put("max_pending", config.listener().maxPending());
        listener.put("checkpoint_interval", duration(config.listener().checkpointInterval()));
        listener.put("retention", config.listener().retention() == null ? null : duration(config.listener().retention()));
        listener.put("deduplicate", config.deduplicate());
        root.put("listener", listener);
        root.put("tracing", tracing(config.tracing()));
        root.put("metrics", ordered("enabled", config.metrics().enabled(), "port", config.metrics().port(),
                "exporter", config.metrics().exporter()));
        root.put("admin", ordered("port", config.adminPort()));
        root.put("actions", actions(config.actions()));
        Map<String, Object> observers = new LinkedHashMap<>();
        for (Configuration.ObserverDefinition o : config.observers()) {
            Map<String, Object> observer = new LinkedHashMap<>();
            observer.put("entity", o.entity());
            observer.put("on", o.on().stream().map(k -> k.wireName()).sorted().toList());
            observer.put("condition", o.condition());
            List<Object> actions = new ArrayList<>();
            for (int i = 0; i < o.actions().size(); i++) {
                Map<String, Object> action = new LinkedHashMap<>();
                action.put("id", o.actionKeys().get(i));
                action.putAll(action(o.actions().get(i)));
                actions.add(action);
            }
            observer.put("actions", actions);
            observer.put("retry", ordered("max_attempts", o.retry().maxAttempts(),
                    "initial_backoff", duration(o.retry().initialBackoff()),
                    "max_backoff", duration(o.retry().maxBackoff()),
                    "multiplier", o.retry().multiplier()));
            observers.put(o.name(), observer);
        }
        root.put("observers", observers);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the configuration", e);
        }
    }

    private static Map<String, Object> tracing(TracingSettings t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", t.enabled());
        out.put("service_name", t.serviceName());
        out.put("exporter", t.exporter());
        out.put("endpoint", t.endpoint() == null ? null : Urls.redact(t.endpoint()));
        out.put("protocol", t.protocol());
        out.put("sample_rate", t.sampleRate());
        out.put("only_errors", t.onlyErrors());
        out.put("batch", ordered("max_queue_size", t.maxQueueSize(), "max_export_batch_size", t.maxExportBatchSize(),
                "schedule_delay", duration(t.scheduleDelay())));
        Map<String, Object> components = new TreeMap<>();
        for (var c : io.pgobserver.domain.trace.Tracer.Component.values()) {
            components.put(c.name().toLowerCase(Locale.ROOT), t.components().contains(c));
        }
        out.put("components", components);
        out.put("entities", t.entities().stream().sorted().toList());
        out.put("kinds", t.kinds().stream().map(k -> k.wireName()).sorted().toList());
        out.put("resource_attributes", new TreeMap<>(t.resourceAttributes()));
        Map<String, String> headers = new TreeMap<>();
        t.headers().keySet().forEach(name -> headers.put(name, Secret.MASK));
        out.put("headers", headers);
        if (!t.environment().isEmpty()) {
            // Not keys of the file: the OTEL_* variables the OpenTelemetry SDK reads over the keys above.
            Map<String, String> environment = new TreeMap<>(t.maskedEnvironment());
            environment.replaceAll((name, value) -> name.contains("ENDPOINT") ? Urls.redact(value) : value);
            out.put("opentelemetry_environment", environment);
        }
        return out;
    }

    private static Map<String, Object> actions(ActionsSettings a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("connect_timeout", duration(a.connectTimeout()));
        out.put("read_timeout", duration(a.readTimeout()));
        out.put("allowed_hosts", a.allowedHosts().stream().sorted().toList());
        out.put("templates_dir", a.templatesDir().toString());
        if (a.smtp() != null) {
            Map<String, Object> smtp = new LinkedHashMap<>();
            smtp.put("host", a.smtp().host());
            smtp.put("port", a.smtp().port());
            smtp.put("user", a.smtp().user());
            smtp.put("password", mask(a.smtp().password()));
            smtp.put("security", a.smtp().security());
            smtp.put("from", a.smtp().from());
            smtp.put("timeout", duration(a.smtp().timeout()));
            out.put("smtp", smtp);
        }
        return out;
    }

    private static Map<String, Object> action(ActionSpec action) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", action.type());
        switch (action) {
            case WebhookAction w -> {
                out.put("url", Urls.redact(w.url()));
                out.put("method", w.method());
                Map<String, String> headers = new TreeMap<>();
                w.headers().forEach((k, v) -> headers.put(k, Secret.MASK));
                out.put("headers", headers);
                out.put("secret", mask(w.secret()));
                out.put("timeout", duration(w.timeout()));
            }
            case SlackAction s -> {
                out.put("webhook_url", s.webhookUrl() == null ? null : Secret.MASK);
                out.put("token", mask(s.token()));
                out.put("api_url", Urls.redact(s.apiUrl()));
                out.put("channel", s.channel());
                out.put("text", s.text());
                out.put("thread_ts", s.threadTs());
            }
            case EmailAction e -> {
                out.put("to", e.to());
                out.put("cc", e.cc());
                out.put("from", e.from());
                out.put("subject", e.subject());
                out.put("template", e.template());
                out.put("text", e.text());
                out.put("html", e.html());
            }
        }
        return out;
    }

    /** A mapping in the order given: {@code Map.of} would print in a different order on every run. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private static String mask(Secret secret) {
        return secret == null ? null : Secret.MASK;
    }

    private static String redactJdbc(String jdbcUrl) {
        // jdbc:postgresql://host:port/db?user=..&password=.. : parameters can hold the password.
        String url = jdbcUrl.substring("jdbc:".length());
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        return base + (query < 0 ? "" : "?" + Secret.MASK);
    }

    /** A duration as the configuration writes it: 500ms, 1s, 2m, 1h. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
