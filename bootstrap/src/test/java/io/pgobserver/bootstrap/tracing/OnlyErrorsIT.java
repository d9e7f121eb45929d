package io.pgobserver.bootstrap.tracing;

import io.pgobserver.domain.trace.TraceContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tracing.only_errors} on the real pipeline: one application transaction writes many rows, so every event
 * carries the writer's one trace and they run at once in parallel lanes; the receiver fails the first attempt of
 * every fourth. Spans go over OTLP/HTTP to the test's receiver, and so does the held-span gauge.
 */
class OnlyErrorsIT {

    private static final String HELD = "pgobserver.tracing.held_spans";
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startDatabase() throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** {@code count} customers, every fourth (from the second) {@code flaky}, the others {@code clean}. */
    private static List<String> customers(int count) {
        return IntStream.range(0, count).mapToObj(i -> i % 4 == 1 ? "flaky" : "clean").toList();
    }

    private static String config(OtlpReceiver receiver, HookReceiver hooks) {
        return """
                metrics: { enabled: true, exporter: otlp }
                tracing:
                  enabled: true
                  only_errors: true
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  batch: { schedule_delay: 100ms }
                observers:
                """.formatted(receiver.endpoint())
                + observer("clean", hooks.baseUrl() + HookReceiver.ORDERS)
                + observer("flaky", hooks.baseUrl() + HookReceiver.FLAKY);
    }

    private static String observer(String customer, String url) {
        return """
                  %s:
                    entity: public.orders
                    on: [created]
                    condition: "after.customer == '%s'"
                    actions:
                      - { type: webhook, url: "%s" }
                    retry: { max_attempts: 3, initial_backoff: 50ms, max_backoff: 200ms }
                """.formatted(customer, customer, url);
    }

    private static Map<String, String> environment(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        // The gauge every 200 ms instead of the SDK's 60 s, so it is seen going back to 0 while the observer runs.
        env.put("OTEL_METRIC_EXPORT_INTERVAL", "200");
        return env;
    }

    /** The exported spans of one trace by the span id of the process_event they descend from. */
    private static Map<String, List<ExportedSpan>> trees(List<ExportedSpan> spans) {
        Map<String, ExportedSpan> byId = spans.stream().collect(Collectors.toMap(ExportedSpan::spanId, s -> s));
        Map<String, List<ExportedSpan>> trees = new HashMap<>();
        for (ExportedSpan span : spans) {
            ExportedSpan root = span;
            while (!root.name().equals("process_event") && byId.containsKey(root.parentId())) {
                root = byId.get(root.parentId());
            }
            assertThat(root.name()).as("span %s reaches its process_event", span).isEqualTo("process_event");
            trees.computeIfAbsent(root.spanId(), k -> new ArrayList<>()).add(span);
        }
        return trees;
    }

    /**
     * How many process_event spans the receiver has. What the tests poll on, not {@link #trees}: a tree is handed to
     * the batch processor span by span, so a poll can see a child whose process_event is in the next batch.
     * Closing the run flushes the rest before the trees are asserted.
     */
    private static long exportedEvents(List<ExportedSpan> spans) {
        return spans.stream().filter(s -> s.name().equals("process_event")).count();
    }

    /** Asserts the trees are exactly those of the failing rows, each whole with both attempts. */
    private static void exactlyTheFailingTreesWhole(Map<String, List<ExportedSpan>> trees, HookReceiver hooks) {
        Set<String> failingRows = hooks.requests(HookReceiver.FLAKY).stream().map(HookReceiver::after)
                .map(after -> after.path("id").asText()).collect(Collectors.toSet());
        Set<String> exportedRows = trees.values().stream().map(tree -> tree.stream()
                        .filter(s -> s.name().equals("process_event")).findFirst().orElseThrow().attribute("entity_id"))
                .collect(Collectors.toSet());
        assertThat(exportedRows).isEqualTo(failingRows);
        assertThat(trees).hasSize(failingRows.size());
        // save_checkpoint is not asked for: one save covers several events and sits in one of their trees.
        assertThat(trees.values()).allSatisfy(tree -> {
            assertThat(tree).extracting(ExportedSpan::name).contains("process_event", "load_checkpoint",
                    "evaluate_condition", "execute_actions", "cache_write");
            assertThat(tree).filteredOn(s -> s.name().equals("execute_action"))
                    .extracting(s -> s.attribute("attempt"), ExportedSpan::error)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("1", true),
                            org.assertj.core.groups.Tuple.tuple("2", false));
        });
    }

    @Test
    void fiftyRowsOfOneTransactionExportExactlyTheFailingEventsTreesWhole() throws Exception {
        TraceContext transaction = ObserverRun.writer(true);
        try (OtlpReceiver receiver = OtlpReceiver.http(); HookReceiver hooks = new HookReceiver()) {
            try (ObserverRun run = ObserverRun.start(postgres, config(receiver, hooks), environment(Map.of()))) {
                run.writeOrders(customers(50), transaction.traceparent());
                assertThat(run.awaitProcessed(50)).isTrue();
                assertThat(run.deadLetters()).isZero();
                assertThat(Await.until(Duration.ofSeconds(60), () -> exportedEvents(receiver.spans(transaction.traceId()))
                        >= 13 && receiver.latestGauge(HELD).equals(OptionalLong.of(0)))).isTrue();
            }
            assertThat(hooks.requests(HookReceiver.FLAKY)).hasSize(26);
            assertThat(hooks.requests(HookReceiver.ORDERS)).hasSize(37);
            exactlyTheFailingTreesWhole(trees(receiver.spans(transaction.traceId())), hooks);
        }
    }

    @Test
    void underATraceIdRatioAWriterThatDidNotSampleStillGetsItsFailingEventsAndSuccessesFollowTheSampler()
            throws Exception {
        TraceContext unsampled = ObserverRun.writer(false);
        TraceContext sampled = ObserverRun.writer(true);
        try (OtlpReceiver receiver = OtlpReceiver.http(); HookReceiver hooks = new HookReceiver()) {
            Map<String, String> env = environment(Map.of("OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                    "OTEL_TRACES_SAMPLER_ARG", "0.1"));
            try (ObserverRun run = ObserverRun.start(postgres, config(receiver, hooks), env)) {
                run.writeOrders(customers(8), unsampled.traceparent());
                assertThat(run.awaitProcessed(8)).isTrue();
                run.writeOrders(List.of("clean", "clean"), sampled.traceparent());
                assertThat(run.awaitProcessed(10)).isTrue();
                assertThat(Await.until(Duration.ofSeconds(60), () -> exportedEvents(receiver.spans(unsampled.traceId()))
                        >= 2 && exportedEvents(receiver.spans(sampled.traceId())) >= 2
                        && receiver.latestGauge(HELD).equals(OptionalLong.of(0)))).isTrue();
            }
            // Not sampled by the writer: only its two failing events, whole; its six clean ones nowhere.
            exactlyTheFailingTreesWhole(trees(receiver.spans(unsampled.traceId())), hooks);
            // Sampled by the writer, so by the parent-based sampler: its clean events are kept.
            assertThat(trees(receiver.spans(sampled.traceId()))).hasSize(2);
            // Downstream the sampler's decision stands: the receiver was told what the writer said.
            List<RecordedRequest> delivered = new ArrayList<>(hooks.requests(HookReceiver.FLAKY));
            delivered.addAll(hooks.requests(HookReceiver.ORDERS));
            assertThat(delivered).extracting(r -> r.getHeaders().get("traceparent"))
                    .filteredOn(header -> header.contains(unsampled.traceId())).hasSize(4 + 6)
                    .allSatisfy(header -> assertThat(header).endsWith("-00"));
        }
    }
}
