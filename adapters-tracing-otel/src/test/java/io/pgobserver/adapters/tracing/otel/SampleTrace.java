package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The span tree of docs/architecture.md for one matched event with one webhook, made through the domain tracer as
 * {@code ProcessEvent} makes it, and the check that a backend received exactly that tree.
 */
final class SampleTrace {

    static final String OBSERVER = "order_shipped";

    /** One span as a backend reports it, whatever its wire format. */
    record Received(String name, String traceId, String spanId, String parentId, String kind,
                    Map<String, String> attributes) {
    }

    private SampleTrace() {
    }

    /** A writer's context with fresh ids, so a backend holding several runs finds this one. */
    static TraceContext writer(boolean sampled) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String traceId = String.format("%016x%016x", random.nextLong() | 1, random.nextLong());
        String spanId = String.format("%016x", random.nextLong() | 1);
        return TraceContext.parse("00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00"), "vendor=abc")
                .orElseThrow();
    }

    /** Makes the tree under a root that continues {@code writer}; returns the root's context. */
    static TraceContext run(Tracer tracer, TraceContext writer) {
        Span root = tracer.startTrace("process_event", writer, SpanKind.CONSUMER);
        root.setAttribute("event_id", "7f9c2ba4-e88f-11e4-a4f6-2b7e2d2b1c9a").setAttribute("entity_type", "public.orders")
                .setAttribute("kind", "updated").setAttribute("checkpoint_offset", 42L);

        Span load = tracer.startSpan("load_checkpoint", root, SpanKind.INTERNAL, Tracer.Component.LISTENER);
        load.setAttribute("recovered_from_checkpoint", false).end();

        Span evaluate = tracer.startSpan("evaluate_condition", root, SpanKind.INTERNAL);
        evaluate.setAttribute("observer", OBSERVER).setAttribute("condition_matched", true).end();

        Span actions = tracer.startSpan("execute_actions", root, SpanKind.INTERNAL, Tracer.Component.EXECUTOR);
        actions.setAttribute("observer", OBSERVER).setAttribute("action_count", 1L);
        Span webhook = tracer.startSpan("execute_action", actions, SpanKind.CLIENT, Tracer.Component.EXECUTOR);
        webhook.setAttribute("action_type", "webhook").setAttribute("target_url", "http://localhost:8080/hooks/orders")
                .setAttribute("http_method", "POST").setAttribute("http_status", 200L)
                .setAttribute("response_time_ms", 12.5).setAttribute("attempt", 1L)
                .setAttribute("http.request.method", "POST").setAttribute("url.full", "http://localhost:8080/hooks/orders")
                .setAttribute("http.response.status_code", 200L);
        webhook.end();
        actions.end();

        Span save = tracer.startSpan("save_checkpoint", root, SpanKind.INTERNAL, Tracer.Component.LISTENER);
        save.setAttribute("checkpoint_offset", 42L).end();
        tracer.startSpan("export_metrics", root, SpanKind.INTERNAL).end();
        TraceContext context = root.context();
        root.end();
        return context;
    }

    /** Asserts the received spans are exactly the sample tree, its root a child of {@code writer}. */
    static void assertTree(List<Received> spans, TraceContext writer) {
        assertThat(spans).extracting(Received::name).containsExactlyInAnyOrder("process_event", "load_checkpoint",
                "evaluate_condition", "execute_actions", "execute_action", "save_checkpoint", "export_metrics");
        assertThat(spans).extracting(Received::traceId).containsOnly(writer.traceId());
        Map<String, Received> byName = spans.stream().collect(Collectors.toMap(Received::name, s -> s));
        Map<String, String> nameById = new HashMap<>();
        spans.forEach(s -> nameById.put(s.spanId(), s.name()));

        Received root = byName.get("process_event");
        assertThat(root.parentId()).as("root's parent is the writer's span").isEqualTo(writer.spanId());
        assertThat(root.kind()).isEqualTo("CONSUMER");
        assertThat(root.attributes()).containsEntry("event_id", "7f9c2ba4-e88f-11e4-a4f6-2b7e2d2b1c9a")
                .containsEntry("entity_type", "public.orders").containsEntry("kind", "updated")
                .containsEntry("checkpoint_offset", "42");

        for (String child : Set.of("load_checkpoint", "evaluate_condition", "execute_actions", "save_checkpoint",
                "export_metrics")) {
            assertThat(nameById.get(byName.get(child).parentId())).as("parent of " + child).isEqualTo("process_event");
            assertThat(byName.get(child).kind()).as("kind of " + child).isEqualTo("INTERNAL");
        }
        Received webhook = byName.get("execute_action");
        assertThat(nameById.get(webhook.parentId())).isEqualTo("execute_actions");
        assertThat(webhook.kind()).isEqualTo("CLIENT");
        assertThat(webhook.attributes()).containsEntry("action_type", "webhook")
                .containsEntry("target_url", "http://localhost:8080/hooks/orders").containsEntry("http_method", "POST")
                .containsEntry("http_status", "200").containsEntry("response_time_ms", "12.5")
                .containsEntry("http.request.method", "POST").containsEntry("url.full", "http://localhost:8080/hooks/orders")
                .containsEntry("http.response.status_code", "200");
        assertThat(byName.get("evaluate_condition").attributes()).containsEntry("observer", OBSERVER)
                .containsEntry("condition_matched", "true");
        assertThat(byName.get("execute_actions").attributes()).containsEntry("action_count", "1");
        assertThat(byName.get("load_checkpoint").attributes()).containsEntry("recovered_from_checkpoint", "false");
        assertThat(byName.get("save_checkpoint").attributes()).containsEntry("checkpoint_offset", "42");
    }

    /** Polls until {@code condition} holds or {@code timeout} passes; generous timeouts, no timing asserted. */
    static boolean await(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
