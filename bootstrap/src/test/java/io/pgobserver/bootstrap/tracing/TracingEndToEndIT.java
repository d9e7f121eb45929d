package io.pgobserver.bootstrap.tracing;

import io.pgobserver.domain.trace.TraceContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing proven on a real event run (issue 5): an observer booted as {@code run} boots it, on an embedded
 * PostgreSQL whose {@code orders} table has capture installed, its actions answered by a MockWebServer, and its
 * spans exported to a real Zipkin server and to OTLP receivers (gRPC and HTTP/protobuf) that decode the real
 * protobuf. The test writes each order as an application would, inside a client trace
 * ({@code SET LOCAL pgobserver.traceparent}), and reads the result back from the backends.
 */
class TracingEndToEndIT {

    private static final String HOOK_PASSWORD = "hook-pass-s3cret";
    private static final String QUERY_SECRET = "query-s3cret";
    private static final String SLACK_TOKEN = "xoxb-slack-s3cret";

    private static EmbeddedPostgres postgres;
    private static ZipkinServer zipkin;
    private static OtlpReceiver otlpGrpc;
    private static OtlpReceiver otlpHttp;

    @BeforeAll
    static void startServers() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        otlpGrpc = OtlpReceiver.grpc();
        otlpHttp = OtlpReceiver.http();
        zipkin = ZipkinServer.start();
    }

    @AfterAll
    static void stopServers() throws Exception {
        for (AutoCloseable server : new AutoCloseable[] {zipkin, otlpGrpc, otlpHttp, postgres}) {
            if (server != null) {
                server.close();
            }
        }
    }

    /** The spans of a trace once {@code expected} of them arrived (or whatever arrived within a minute). */
    private static List<ExportedSpan> awaitSpans(SpanBackend backend, String traceId, int expected)
            throws InterruptedException {
        Await.until(Duration.ofSeconds(60), () -> backend.spans(traceId).size() >= expected);
        return backend.spans(traceId);
    }

    private static String webhookObserver(HookReceiver hooks) {
        return """
                observers:
                  all_orders:
                    entity: public.orders
                    on: [created]
                    actions:
                      - { type: webhook, url: "%s%s" }
                """.formatted(hooks.baseUrl(), HookReceiver.ORDERS);
    }

    /** The {@code tracing:} block of a run whose spans go to {@code endpoint}. */
    private static String tracing(String exporter, String endpoint, String protocol, String batch) {
        return """
                tracing:
                  enabled: true
                  exporter: %s
                  endpoint: %s
                  protocol: %s
                  batch: %s
                """.formatted(exporter, endpoint, protocol, batch);
    }

    private static RecordedRequest requestFor(List<RecordedRequest> requests, String customer) {
        return requests.stream().filter(r -> HookReceiver.after(r).path("customer").asText().equals(customer))
                .findFirst().orElseThrow(() -> new AssertionError("no webhook request for the order of " + customer));
    }

    @Nested
    class SpanTree {

        static Stream<SpanBackend> backends() {
            return Stream.of(zipkin, otlpGrpc, otlpHttp);
        }

        /**
         * One matched observer with three actions (a webhook whose URL carries credentials and a query, Slack's Web
         * API, a webhook that fails once with 503) and one observer whose condition does not match.
         */
        private String observers(HookReceiver hooks) {
            String withSecrets = hooks.baseUrl().replace("http://", "http://hook-user:" + HOOK_PASSWORD + "@")
                    + HookReceiver.ORDERS + "?token=" + QUERY_SECRET;
            return """
                    observers:
                      big_orders:
                        entity: public.orders
                        on: [created]
                        condition: "after.total > 100"
                        actions:
                          - { type: webhook, url: "%s" }
                          - { type: slack, token: %s, api_url: "%s%s", channel: "#orders", text: "Order {{after.id}} by {{after.customer}}, total {{after.total}}" }
                          - { type: webhook, url: "%s%s" }
                        retry: { max_attempts: 3, initial_backoff: 50ms, max_backoff: 200ms }
                      small_orders:
                        entity: public.orders
                        on: [created]
                        condition: "after.total < 10"
                        actions:
                          - { type: webhook, url: "%s%s" }
                    """.formatted(withSecrets, SLACK_TOKEN, hooks.baseUrl(), HookReceiver.SLACK_API,
                    hooks.baseUrl(), HookReceiver.FLAKY, hooks.baseUrl(), HookReceiver.ORDERS);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("backends")
        void oneEventIsOneTreeUnderTheWritersSpanAndTheWebhookContinuesIt(SpanBackend backend) throws Exception {
            TraceContext writer = ObserverRun.writer(true);
            List<String[]> changeLog;
            List<RecordedRequest> orders;
            List<RecordedRequest> flaky;
            String base;
            try (HookReceiver hooks = new HookReceiver()) {
                base = hooks.baseUrl();
                try (ObserverRun run = ObserverRun.start(postgres, backend.tracingYaml(1.0) + observers(hooks))) {
                    run.writeOrder("ada", 150.50, writer.traceparent(), "vendor=abc");
                    assertThat(run.awaitProcessed(1)).as("the event was processed").isTrue();
                    changeLog = run.changeLog();
                    assertThat(run.deadLetters()).isZero();
                }
                orders = hooks.requests(HookReceiver.ORDERS);
                flaky = hooks.requests(HookReceiver.FLAKY);
                assertThat(orders).hasSize(1);
                assertThat(flaky).hasSize(2);
                assertThat(hooks.requests(HookReceiver.SLACK_API + "/chat.postMessage")).hasSize(1);
                // The numeric(10, 2) reaches the template and the body as PostgreSQL wrote it: 150.50, not 150.5.
                assertThat(hooks.requests(HookReceiver.SLACK_API + "/chat.postMessage").getFirst().getBody().utf8())
                        .contains("by ada, total 150.50\"");
                assertThat(orders.getFirst().getBody().utf8()).contains("\"total\":150.50,");
            }
            assertThat(changeLog).hasSize(1);

            List<ExportedSpan> spans = awaitSpans(backend, writer.traceId(), 12);
            assertThat(spans).extracting(ExportedSpan::name).containsExactlyInAnyOrder("process_event",
                    "load_checkpoint", "evaluate_condition", "evaluate_condition", "execute_actions", "execute_action",
                    "execute_action", "execute_action", "execute_action", "cache_write", "save_checkpoint",
                    "export_metrics");
            assertThat(backend.serviceNames(writer.traceId())).as("service.name").containsOnly("pg-observer-it");
            Map<String, ExportedSpan> byId = spans.stream().collect(Collectors.toMap(ExportedSpan::spanId, s -> s));

            // One tree: a single span whose parent is outside it, the root, whose parent is the writer's span.
            List<ExportedSpan> roots = spans.stream().filter(s -> !byId.containsKey(s.parentId())).toList();
            assertThat(roots).extracting(ExportedSpan::name).containsExactly("process_event");
            ExportedSpan root = roots.getFirst();
            assertThat(root.parentId()).as("the root's parent is the writer's span").isEqualTo(writer.spanId());
            assertThat(root.kind()).isEqualTo("CONSUMER");
            assertThat(root.attributes()).containsEntry("event_id", changeLog.getFirst()[1])
                    .containsEntry("entity_type", "public.orders").containsEntry("kind", "created")
                    .containsEntry("checkpoint_offset", changeLog.getFirst()[0]);

            Function<String, List<ExportedSpan>> named = name -> spans.stream().filter(s -> s.name().equals(name)).toList();
            for (String child : List.of("load_checkpoint", "evaluate_condition", "execute_actions", "cache_write",
                    "save_checkpoint", "export_metrics")) {
                assertThat(named.apply(child)).as(child).allSatisfy(span -> {
                    assertThat(span.parentId()).as("parent of %s", child).isEqualTo(root.spanId());
                    assertThat(span.kind()).as("kind of %s", child).isEqualTo("INTERNAL");
                    assertThat(span.error()).as("status of %s", child).isFalse();
                    assertThat(span.events()).as("events of %s", child).isEmpty();
                });
            }
            assertThat(named.apply("load_checkpoint").getFirst().attributes()).containsKey("recovered_from_checkpoint");
            assertThat(named.apply("evaluate_condition")).extracting(s -> s.attribute("observer") + "="
                    + s.attribute("condition_matched")).containsExactlyInAnyOrder("big_orders=true", "small_orders=false");
            ExportedSpan actions = named.apply("execute_actions").getFirst();
            assertThat(actions.attributes()).containsEntry("observer", "big_orders").containsEntry("action_count", "3");
            assertThat(named.apply("save_checkpoint").getFirst().attributes())
                    .containsEntry("checkpoint_offset", changeLog.getFirst()[0]);

            // One client span per attempt, under execute_actions.
            List<ExportedSpan> attempts = named.apply("execute_action");
            assertThat(attempts).allSatisfy(span -> {
                assertThat(span.parentId()).isEqualTo(actions.spanId());
                assertThat(span.kind()).isEqualTo("CLIENT");
                assertThat(span.attributes()).containsEntry("observer", "big_orders")
                        .containsEntry("http.request.method", "POST");
            });
            ExportedSpan webhook = attempt(attempts, "0", "1");
            assertThat(webhook.attributes()).containsEntry("action_type", "webhook")
                    .containsEntry("url.full", base + HookReceiver.ORDERS)
                    .containsEntry("target_url", base + HookReceiver.ORDERS)
                    .containsEntry("http.response.status_code", "200").containsEntry("http_status", "200");
            assertThat(webhook.error()).isFalse();
            ExportedSpan slack = attempt(attempts, "1", "1");
            assertThat(slack.attributes()).containsEntry("action_type", "slack")
                    .containsEntry("url.full", base + HookReceiver.SLACK_API + "/chat.postMessage")
                    .containsEntry("http.response.status_code", "200").containsEntry("channel", "#orders");
            ExportedSpan failed = attempt(attempts, "2", "1");
            assertThat(failed.attributes()).containsEntry("action_type", "webhook")
                    .containsEntry("url.full", base + HookReceiver.FLAKY)
                    .containsEntry("http.response.status_code", "503").containsKey("error").containsKey("retry_in_ms");
            assertThat(failed.attribute("error")).contains("503");
            assertThat(failed.error()).as("the failed attempt's status").isTrue();
            assertThat(failed.events()).as("the failed attempt's events").anyMatch(e -> e.contains("exception"));
            ExportedSpan retried = attempt(attempts, "2", "2");
            assertThat(retried.attributes()).containsEntry("http.response.status_code", "200").doesNotContainKey("error");
            assertThat(retried.error()).isFalse();

            // Secrets in the action settings never reach a span.
            assertThat(spans).flatExtracting(s -> List.copyOf(s.attributes().values()))
                    .noneMatch(v -> v.contains(HOOK_PASSWORD) || v.contains(QUERY_SECRET) || v.contains(SLACK_TOKEN)
                            || v.contains("hook-user"));

            // Each webhook request carries the trace, with its own attempt's span as parent.
            assertThat(orders.getFirst().getHeaders().get("traceparent"))
                    .isEqualTo("00-" + writer.traceId() + "-" + webhook.spanId() + "-01");
            assertThat(orders.getFirst().getHeaders().get("tracestate")).isEqualTo("vendor=abc");
            assertThat(flaky).extracting(r -> r.getHeaders().get("traceparent")).containsExactly(
                    "00-" + writer.traceId() + "-" + failed.spanId() + "-01",
                    "00-" + writer.traceId() + "-" + retried.spanId() + "-01");
        }

        private static ExportedSpan attempt(List<ExportedSpan> attempts, String actionIndex, String attempt) {
            List<ExportedSpan> found = attempts.stream().filter(s -> actionIndex.equals(s.attribute("action_index"))
                    && attempt.equals(s.attribute("attempt"))).toList();
            assertThat(found).as("execute_action of action %s, attempt %s, among %s", actionIndex, attempt, attempts)
                    .hasSize(1);
            return found.getFirst();
        }
    }

    /** Telemetry never harms delivery. */
    @Nested
    class UnreachableBackend {

        @ParameterizedTest(name = "otlp {0}")
        @ValueSource(strings = {"grpc", "http/protobuf"})
        void anExporterPointedAtAClosedPortLeavesDeliveryUntouched(String protocol) throws Exception {
            int events = 5;
            // A queue smaller than the spans of the run: it fills up while the exporter fails.
            String tracing = tracing("otlp", "http://127.0.0.1:" + Await.freePort(), protocol,
                    "{ max_queue_size: 8, max_export_batch_size: 4, schedule_delay: 100ms }");
            List<TraceContext> writers = new ArrayList<>();
            try (HookReceiver hooks = new HookReceiver()) {
                List<String[]> changeLog;
                try (ObserverRun run = ObserverRun.start(postgres, tracing + webhookObserver(hooks))) {
                    for (int i = 0; i < events; i++) {
                        TraceContext writer = ObserverRun.writer(true);
                        writers.add(writer);
                        run.writeOrder("customer-" + i, 10 + i, writer.traceparent(), null);
                    }
                    assertThat(run.awaitProcessed(events)).as("every event processed").isTrue();
                    // Delivered while the exporter fails, not after: nothing waited for the backend.
                    assertThat(Await.until(Duration.ofSeconds(60),
                            () -> hooks.requests(HookReceiver.ORDERS).size() >= events)).isTrue();
                    assertThat(run.deadLetters()).isZero();
                    changeLog = run.changeLog();
                    run.stop();
                    // Every batch read is wholly done: the checkpoint sits at the start of the next one.
                    assertThat(run.pipeline().savedCheckpoint())
                            .as("the checkpoint passed every event").isNotNull()
                            .satisfies(c -> assertThat(c.afterId()).isZero())
                            .satisfies(c -> assertThat(c.batch()).isGreaterThan(1));
                }
                List<RecordedRequest> received = hooks.requests(HookReceiver.ORDERS);
                assertThat(received).hasSize(events);
                for (int i = 0; i < events; i++) {
                    RecordedRequest request = requestFor(received, "customer-" + i);
                    TraceContext sent = TraceContext.parse(request.getHeaders().get("traceparent")).orElseThrow();
                    assertThat(sent.traceId()).as("the webhook still continues the writer's trace")
                            .isEqualTo(writers.get(i).traceId());
                    assertThat(sent.isSampled()).isTrue();
                }
            }
        }
    }

    /**
     * The trace back-end in the states users meet at 3 a.m.: hung (it takes the connection and never answers), and
     * restarted (gone mid-run, then back on its port).
     */
    @Nested
    class HungOrRestartedBackend {

        private static final String EXPORTER = "io.pgobserver.adapters.tracing.otel.GuardedSpanExporter";
        private static final String SDK = "io.pgobserver.adapters.tracing.otel.OtelSdk";

        @ParameterizedTest(name = "{0} {1}")
        @CsvSource({"otlp, grpc", "otlp, http/protobuf", "zipkin, grpc"})
        void aBackendThatNeverAnswersIsNamedAsHungAndTheStopGivesUpOnItSoon(String exporter, String protocol)
                throws Exception {
            int events = 5;
            // Batches of one span: the queue cannot drain within the stop's bound while every export hangs.
            String batch = "{ max_queue_size: 2048, max_export_batch_size: 1, schedule_delay: 100ms }";
            // Each export gives up after 1 s rather than the default 10 s, so that the first failure comes soon.
            Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "1000", "OTEL_EXPORTER_ZIPKIN_TIMEOUT", "1000");
            try (HangingBackend hung = HangingBackend.start(); HookReceiver hooks = new HookReceiver();
                 LogWatch logs = new LogWatch(EXPORTER, SDK)) {
                try (ObserverRun run = ObserverRun.start(postgres, tracing(exporter, hung.endpoint(), protocol, batch)
                        + webhookObserver(hooks), env)) {
                    for (int i = 0; i < events; i++) {
                        run.writeOrder("hung-" + i, 10 + i, ObserverRun.writer(true).traceparent(), null);
                    }
                    assertThat(run.awaitProcessed(events)).as("every event processed").isTrue();
                    assertThat(Await.until(Duration.ofSeconds(60),
                            () -> hooks.requests(HookReceiver.ORDERS).size() >= events)).isTrue();
                    // This run's warnings: another run's export may still fail in the background, and its hung
                    // back-end's port may be this one's again (the system hands ports out anew), so its exporter's
                    // name is part of what picks them out.
                    String mine = "exporter " + exporter + " " + (exporter.equals("otlp") ? protocol + " " : "")
                            + hung.endpoint();
                    String failed = "could not deliver";
                    assertThat(Await.until(Duration.ofSeconds(60), () -> !logs.containing(mine, failed).isEmpty()))
                            .as("a failed export's warning among %s", logs.all()).isTrue();
                    assertThat(hung.accepted()).as("connections the back-end took").isPositive();
                    assertThat(logs.containing(mine, failed).getFirst()).contains("took the connection but did"
                            + " not answer, as a hung collector or a load balancer with no healthy target does");
                    run.stop();
                    assertThat(run.pipeline().savedCheckpoint()).as("the checkpoint passed every event").isNotNull()
                            .satisfies(c -> assertThat(c.afterId()).isZero());
                    assertThat(run.deadLetters()).isZero();
                }
                // The stop gave the hung back-end 3 s, not the 10 s a healthy one's queue gets.
                assertThat(logs.containing("spans still queued after")).singleElement().asString().contains(
                        "after 3s at shutdown were dropped (the back-end failed its last export, or left one unanswered for 3s)");
                assertThat(hooks.requests(HookReceiver.ORDERS)).hasSize(events);
            }
        }

        @ParameterizedTest(name = "otlp {0}")
        @ValueSource(strings = {"grpc", "http/protobuf"})
        void aBackendThatComesBackGetsTheSpansOfEventsWrittenAfterItAndTheLogSaysExportResumed(String protocol)
                throws Exception {
            OtlpReceiver first = OtlpReceiver.start(protocol, 0);
            int port = first.port();
            String tracing = tracing("otlp", "http://127.0.0.1:" + port, protocol, "{ schedule_delay: 100ms }");
            try (HookReceiver hooks = new HookReceiver(); LogWatch logs = new LogWatch(EXPORTER)) {
                try (ObserverRun run = ObserverRun.start(postgres, tracing + webhookObserver(hooks))) {
                    TraceContext before = ObserverRun.writer(true);
                    run.writeOrder("before", 10, before.traceparent(), null);
                    assertThat(awaitSpans(first, before.traceId(), 7)).isNotEmpty();

                    // The collector restarts, gone for a while. Stopped as by a SIGTERM, it first answers the export
                    // whose spans arrived: killed, it left that answer cut off, the SDK failed the batch at once
                    // without retrying it, and the outage's first line was that failure's, whatever the load.
                    first.closeAfterAnswering();
                    run.writeOrder("during", 11, ObserverRun.writer(true).traceparent(), null);
                    assertThat(run.awaitProcessed(2)).isTrue();
                    assertThat(Await.until(Duration.ofSeconds(60), () -> !logs.containing("could not deliver").isEmpty()))
                            .as("a failed export's warning among %s", logs.all()).isTrue();
                    assertThat(hooks.requests(HookReceiver.ORDERS)).as("delivered during the outage").hasSize(2);
                    // The outage's first line came with its first failed attempt, before the exporter's retries ran
                    // out and it dropped the batch.
                    assertThat(logs.containing("otlp " + protocol + " http://127.0.0.1:" + port)).first().asString()
                            .contains("failed to send spans (ConnectException", "and retries them");

                    try (OtlpReceiver back = OtlpReceiver.start(protocol, port)) {
                        TraceContext after = ObserverRun.writer(true);
                        run.writeOrder("after", 12, after.traceparent(), null);
                        assertThat(awaitSpans(back, after.traceId(), 7)).extracting(ExportedSpan::name)
                                .as("the spans of an event written after the back-end returned")
                                .contains("process_event", "execute_action");
                        assertThat(Await.until(Duration.ofSeconds(30), () -> !logs.containing("delivers again").isEmpty()))
                                .as("the line saying export resumed, among %s", logs.all()).isTrue();
                        assertThat(logs.containing("delivers again")).singleElement().asString()
                                .contains("otlp " + protocol + " http://127.0.0.1:" + port, "export resumed after")
                                .containsPattern("which dropped [1-9][0-9]* span\\(s\\)")
                                .contains("events were not affected");
                        run.stop(); // while the back-end runs: its last spans are sent, no failure outlives the test
                    }
                }
            }
        }
    }

    /** Sampling decided once per trace, through the full pipeline: the writer's flag first, the rate for new roots. */
    @Nested
    class Sampling {

        @Test
        void anUnsampledWriterIsNotExportedAndTheWebhookContinuesItsTraceUnsampled() throws Exception {
            TraceContext unsampled = ObserverRun.writer(false);
            TraceContext sampled = ObserverRun.writer(true);
            try (OtlpReceiver receiver = OtlpReceiver.http(); HookReceiver hooks = new HookReceiver()) {
                try (ObserverRun run = ObserverRun.start(postgres, receiver.tracingYaml(1.0) + webhookObserver(hooks))) {
                    run.writeOrder("unsampled", 30, unsampled.traceparent(), "vendor=abc");
                    // The witness: sampled, written after, so its spans leave no earlier than the other event's.
                    run.writeOrder("sampled", 40, sampled.traceparent(), null);
                    assertThat(run.awaitProcessed(2)).isTrue();
                }
                List<RecordedRequest> received = hooks.requests(HookReceiver.ORDERS);
                assertThat(received).hasSize(2);
                RecordedRequest quiet = requestFor(received, "unsampled");
                // The webhook span's own context, as OpenTelemetry propagates an unsampled span: the writer's trace,
                // still not sampled, so the receiver keeps the writer's decision.
                TraceContext quietContext = TraceContext.parse(quiet.getHeaders().get("traceparent")).orElseThrow();
                assertThat(quiet.getHeaders().get("traceparent")).endsWith("-00");
                assertThat(quietContext.traceId()).isEqualTo(unsampled.traceId());
                assertThat(quietContext.spanId()).as("the webhook span's id").isNotEqualTo(unsampled.spanId());
                assertThat(quiet.getHeaders().get("tracestate")).isEqualTo("vendor=abc");
                TraceContext continued = TraceContext.parse(requestFor(received, "sampled").getHeaders()
                        .get("traceparent")).orElseThrow();
                assertThat(continued.traceId()).isEqualTo(sampled.traceId());
                assertThat(continued.spanId()).as("the webhook span's id").isNotEqualTo(sampled.spanId());

                assertThat(awaitSpans(receiver, sampled.traceId(), 7)).extracting(ExportedSpan::name)
                        .contains("process_event", "execute_action");
                assertThat(receiver.spans(unsampled.traceId())).as("spans of the unsampled writer's event").isEmpty();
                assertThat(receiver.traceIds()).containsExactly(sampled.traceId());
            }
        }

        @Test
        void rateZeroExportsNoRootTraceAndEventsAreStillDelivered() throws Exception {
            TraceContext sampled = ObserverRun.writer(true);
            try (OtlpReceiver receiver = OtlpReceiver.http(); HookReceiver hooks = new HookReceiver()) {
                try (ObserverRun run = ObserverRun.start(postgres, receiver.tracingYaml(0.0) + webhookObserver(hooks))) {
                    for (int i = 0; i < 3; i++) {
                        run.writeOrder("untraced-" + i, 50 + i, null, null);
                    }
                    // The witness: a sampled writer decides for its event whatever the rate (parent-based).
                    run.writeOrder("witness", 60, sampled.traceparent(), null);
                    assertThat(run.awaitProcessed(4)).isTrue();
                }
                List<RecordedRequest> received = hooks.requests(HookReceiver.ORDERS);
                assertThat(received).hasSize(4);
                Set<String> unsampledTraces = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    // Each unsampled event still has a trace of its own, which the receiver continues, not sampled.
                    TraceContext context = TraceContext.parse(requestFor(received, "untraced-" + i).getHeaders()
                            .get("traceparent")).orElseThrow();
                    assertThat(context.isSampled()).isFalse();
                    unsampledTraces.add(context.traceId());
                }
                assertThat(unsampledTraces).hasSize(3).doesNotContain(sampled.traceId());
                assertThat(awaitSpans(receiver, sampled.traceId(), 7)).isNotEmpty();
                assertThat(receiver.traceIds()).as("only the sampled writer's trace").containsExactly(sampled.traceId());
            }
        }
    }

}
