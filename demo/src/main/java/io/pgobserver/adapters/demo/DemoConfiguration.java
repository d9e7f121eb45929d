package io.pgobserver.adapters.demo;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The demo's configuration: three observers on {@code public.orders} covering every action type, pointed at the
 * built-in receivers, and spans printed to the console as trees. The admin port is a free one, so the operator
 * console (when installed) opens beside whatever else runs on this host. The usual variables still apply, so
 * {@code ZIPKIN_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_ENDPOINT} send the same spans to a real backend too.
 */
final class DemoConfiguration {

    private DemoConfiguration() {
    }

    static String yaml(int postgresPort, DemoReceivers receivers, Path workDir) throws IOException {
        Path templates = Files.createDirectories(workDir.resolve("templates"));
        Files.writeString(templates.resolve("order_shipped.txt"), """
                Hello,

                order {{after.id}} for {{after.customer}} ({{after.total}}) has shipped.
                Event {{event.id}}, {{event.kind}} at {{event.occurred_at}}.
                """);
        return """
                database:
                  url: jdbc:postgresql://localhost:%d/postgres
                  user: postgres
                listener:
                  consumer: demo
                  batch_size: 100
                  poll_interval: 500ms
                  # Saved by every event that moves it, so the trees show save_checkpoint whatever the timing.
                  checkpoint_interval: 0ms
                tracing:
                  enabled: true
                  service_name: pg-observer-demo
                  exporter: console
                metrics:
                  enabled: false
                admin:
                  port: 0
                email:
                  templates_dir: %s
                  smtp: { host: %s, port: %d, security: none, from: pg-observer-demo@example.com }
                observers:
                  order_created:
                    entity: public.orders
                    on: [created]
                    actions:
                      - { type: webhook, url: "%s/hooks/orders", secret: "whsec_ZGVtby1zZWNyZXQtZm9yLXRoZS1kZW1vLW9ubHk=" }
                  big_order:
                    entity: public.orders
                    on: [created]
                    condition: "after.total > 200"
                    actions:
                      - { type: slack, webhook_url: "%s/slack/incoming", text: "Big order {{after.id}}: {{after.total}}" }
                  order_shipped:
                    entity: public.orders
                    on: [updated]
                    condition: "after.status == 'shipped' && before.status != 'shipped'"
                    actions:
                      - { type: webhook, url: "%s/hooks/orders" }
                      - { type: slack, token: demo-token, api_url: "%s/slack/api", channel: "#orders", text: "Order {{after.id}} shipped" }
                      - { type: email, to: [ops@example.com], subject: "Order {{after.id}} shipped", template: order_shipped }
                    retry: { max_attempts: 3, initial_backoff: 200ms, max_backoff: 2s }
                """.formatted(postgresPort, templates, receivers.smtpHost(), receivers.smtpPort(),
                receivers.baseUrl(), receivers.baseUrl(), receivers.baseUrl(), receivers.baseUrl());
    }

    /**
     * The console tree is what the demo shows, so it stays on whatever else the environment asks for: ZIPKIN_ENDPOINT
     * adds Zipkin, OTEL_EXPORTER_OTLP_ENDPOINT adds OTLP, and OTEL_TRACES_EXPORTER's exporters join the console
     * instead of replacing it (the caller then keeps that variable from the SDK).
     *
     * @param effective the exporters the configuration resolves to, with the environment applied
     * @return the value for {@code tracing.exporter}
     */
    static String consoleBeside(String effective, Map<String, String> env) {
        Set<String> exporters = new LinkedHashSet<>();
        for (String name : effective == null ? List.<String>of() : List.of(effective.split(","))) {
            if (!name.isBlank()) {
                exporters.add(name.trim().toLowerCase(Locale.ROOT));
            }
        }
        String otelExporters = env.get("OTEL_TRACES_EXPORTER");
        if (otelExporters != null) {
            for (String name : otelExporters.split(",")) {
                String trimmed = name.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty()) {
                    exporters.add(trimmed.equals("logging") ? "console" : trimmed);
                }
            }
        }
        exporters.remove("none");
        String otlp = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (otlp != null && !otlp.isBlank() && !exporters.contains("jaeger") && !exporters.contains("zipkin")) {
            exporters.add("otlp");
        }
        exporters.add("console");
        return String.join(",", exporters);
    }

    /**
     * Where the console links a trace id when the user named a backend but no link: the demo has no file to set
     * {@code console.trace_url} in, and a trace id that is not a link sends the user off to copy it by hand. Zipkin
     * serves its UI beside its API; Jaeger's all-in-one serves its UI on port 16686 of the host its OTLP port is on.
     * An OTLP endpoint alone could be Jaeger, Tempo or a collector, so no link is guessed for it.
     *
     * @return the value for {@code CONSOLE_TRACE_URL}, or empty when the user set it or named no backend here
     */
    static Optional<String> traceLinks(Map<String, String> env) {
        if (!blank(env.get("CONSOLE_TRACE_URL"))) {
            return Optional.empty();
        }
        return origin(env.get("ZIPKIN_ENDPOINT")).map(zipkin -> zipkin + "/zipkin/traces/{trace_id}")
                .or(() -> host(env.get("JAEGER_ENDPOINT")).map(jaeger -> "http://" + jaeger + ":16686/trace/{trace_id}"));
    }

    private static Optional<String> origin(String url) {
        return uri(url).map(u -> u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()));
    }

    private static Optional<String> host(String url) {
        return uri(url).map(URI::getHost);
    }

    /** An http(s) URL with a host, or empty: a bad value is the boot's to report, under the variable's own name. */
    private static Optional<URI> uri(String url) {
        if (blank(url)) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url.trim());
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return web && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
