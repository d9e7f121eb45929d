package io.pgobserver.bootstrap.tracing;

import io.pgobserver.domain.trace.TraceContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole observers configured as the OpenTelemetry specification and the guide say: the {@code OTEL_*} variables
 * read by the SDK, {@code tracing.only_errors} against the real Zipkin server, and metrics with tracing off, scraped
 * over Prometheus and pushed over OTLP to the test's receiver.
 */
class OpenTelemetryConfigurationIT {

    private static final String EXPORTER = "io.pgobserver.adapters.tracing.otel.GuardedSpanExporter";
    private static EmbeddedPostgres postgres;
    @TempDir
    private static Path certificatesDir;
    private static CollectorCertificates certificates;

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

    private static String observer(String name, String condition, String url) {
        return """
                  %s:
                    entity: public.orders
                    on: [created]
                    condition: "%s"
                    actions:
                      - { type: webhook, url: "%s" }
                    retry: { max_attempts: 3, initial_backoff: 50ms, max_backoff: 200ms }
                """.formatted(name, condition, url);
    }

    /** The TLS collector's certificates and the observer's, made once for the tests that want them. */
    private static synchronized CollectorCertificates certificates() throws Exception {
        if (certificates == null) {
            certificates = CollectorCertificates.create(certificatesDir);
        }
        return certificates;
    }

    /** An observer of every order with one webhook, configured by the variables alone: no tracing section. */
    private static ObserverRun allOrders(HookReceiver hooks, Map<String, String> env) throws Exception {
        return ObserverRun.start(postgres, "observers:\n"
                + observer("all_orders", "true", hooks.baseUrl() + HookReceiver.ORDERS), env);
    }

    @Test
    void otelVariablesAloneSwitchTracingOnAndTheGenericEndpointGetsTheSignalPath() throws Exception {
        TraceContext writer = ObserverRun.writer(true);
        try (OtlpReceiver receiver = OtlpReceiver.http("/otlp"); HookReceiver hooks = new HookReceiver()) {
            // No tracing section at all: the variables are the whole tracing configuration.
            Map<String, String> env = Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint() + "/otlp",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                    "OTEL_SERVICE_NAME", "orders-observer",
                    "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=staging,team=pay%20ments",
                    "OTEL_BSP_SCHEDULE_DELAY", "100");
            try (ObserverRun run = allOrders(hooks, env)) {
                run.writeOrder("ada", 150.0, writer.traceparent(), null);
                assertThat(run.awaitProcessed(1)).isTrue();
            }
            assertThat(Await.until(Duration.ofSeconds(30), () -> !receiver.spans(writer.traceId()).isEmpty())).isTrue();
            assertThat(receiver.paths()).isNotEmpty().containsOnly("/otlp/v1/traces");
            assertThat(receiver.spans(writer.traceId())).extracting(ExportedSpan::name)
                    .contains("process_event", "execute_action");
            assertThat(receiver.serviceNames(writer.traceId())).containsExactly("orders-observer");
            assertThat(receiver.resourceAttribute(writer.traceId(), "deployment.environment")).containsExactly("staging");
            assertThat(receiver.resourceAttribute(writer.traceId(), "team")).containsExactly("pay ments");
        }
    }

    /**
     * A collector across a network, set up as in any OpenTelemetry-instrumented service: {@code https://} with the
     * collector's self-signed certificate trusted through OTEL_EXPORTER_OTLP_CERTIFICATE, a client certificate it
     * requires (_CLIENT_KEY, _CLIENT_CERTIFICATE), headers with percent-encoded values and '=' inside one, gzip and a
     * timeout; the generic endpoint written with a trailing slash. Over gRPC and HTTP/protobuf.
     */
    @Test
    void tlsWithTheCollectorsOwnCertificateAClientCertificateHeadersAndGzip() throws Exception {
        CollectorCertificates certificates = certificates();
        for (String protocol : List.of("grpc", "http/protobuf")) {
            TraceContext writer = ObserverRun.writer(true);
            try (OtlpReceiver receiver = OtlpReceiver.tls(protocol, "/otlp", certificates);
                 HookReceiver hooks = new HookReceiver()) {
                Map<String, String> env = Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint() + (protocol.equals("grpc") ? "/" : "/otlp/"),
                        "OTEL_EXPORTER_OTLP_PROTOCOL", protocol,
                        "OTEL_EXPORTER_OTLP_CERTIFICATE", certificates.collectorCertificate().toString(),
                        "OTEL_EXPORTER_OTLP_CLIENT_KEY", certificates.clientKey().toString(),
                        "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", certificates.clientCertificate().toString(),
                        "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Basic%20dXNlcjpwdw==,x-scope-orgid=team%2Cpay",
                        "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
                        "OTEL_EXPORTER_OTLP_TIMEOUT", "10000",
                        "OTEL_BSP_SCHEDULE_DELAY", "100");
                try (ObserverRun run = allOrders(hooks, env)) {
                    run.writeOrder("ada", 150.0, writer.traceparent(), null);
                    assertThat(run.awaitProcessed(1)).isTrue();
                }
                assertThat(Await.until(Duration.ofSeconds(30), () -> !receiver.spans(writer.traceId()).isEmpty()))
                        .as("spans over TLS, %s", protocol).isTrue();
                assertThat(receiver.spans(writer.traceId())).extracting(ExportedSpan::name).contains("process_event");
                assertThat(receiver.headers()).as(protocol).allSatisfy(headers -> assertThat(headers)
                        .containsEntry("authorization", "Basic dXNlcjpwdw==")
                        .containsEntry("x-scope-orgid", "team,pay"));
                if (protocol.equals("http/protobuf")) {
                    assertThat(receiver.paths()).containsOnly("/otlp/v1/traces");
                    assertThat(receiver.headers()).allSatisfy(headers ->
                            assertThat(headers).containsEntry("content-encoding", "gzip"));
                }
            }
        }
    }

    /**
     * A TLS collector the observer cannot talk to as set up: its self-signed certificate not trusted (no
     * OTEL_EXPORTER_OTLP_CERTIFICATE), or no client certificate where it wants one. Events still run; the exporter's
     * warning names the variables that fix it, not only the TLS library's words.
     */
    @Test
    void aTlsCollectorTheObserverCannotTalkToIsWarnedWithTheVariablesToSet() throws Exception {
        CollectorCertificates certificates = certificates();
        for (String protocol : List.of("grpc", "http/protobuf")) {
            for (boolean trusted : List.of(false, true)) {
                try (OtlpReceiver receiver = OtlpReceiver.tls(protocol, "", certificates);
                     HookReceiver hooks = new HookReceiver(); LogWatch logs = new LogWatch(EXPORTER)) {
                    Map<String, String> env = new HashMap<>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                            "OTEL_EXPORTER_OTLP_PROTOCOL", protocol, "OTEL_BSP_SCHEDULE_DELAY", "100"));
                    if (trusted) {
                        env.put("OTEL_EXPORTER_OTLP_CERTIFICATE", certificates.collectorCertificate().toString());
                    }
                    try (ObserverRun run = allOrders(hooks, env)) {
                        run.writeOrder("ada", 1.0, ObserverRun.writer(true).traceparent(), null);
                        assertThat(run.awaitProcessed(1)).isTrue();
                        // Running on until the exporter gives the batch up: a mutual-TLS refusal seen as a broken pipe
                        // (a busy machine's race) is retried, some 8 s, and a stop before that says no cause at all.
                        Await.until(Duration.ofSeconds(60),
                                () -> !logs.containing(receiver.endpoint(), "could not deliver").isEmpty());
                    }
                    assertThat(hooks.requests(HookReceiver.ORDERS)).hasSize(1);
                    assertThat(receiver.traceIds()).isEmpty();
                    List<String> warnings = logs.containing(receiver.endpoint(), "could not deliver");
                    assertThat(warnings).as("%s, trusted %s: %s", protocol, trusted, logs.all()).isNotEmpty()
                            .allSatisfy(warning -> assertThat(warning).contains(trusted
                                    ? "OTEL_EXPORTER_OTLP_CLIENT_KEY" : "OTEL_EXPORTER_OTLP_CERTIFICATE"));
                }
            }
        }
    }

    /**
     * OTEL_PROPAGATORS=b3multi: the webhook receiver gets the X-B3-* headers of the webhook's span and no W3C
     * traceparent. OTEL_TRACES_SAMPLER=parentbased_traceidratio with _ARG=0.5: a writer's decision is kept, a new
     * trace is sampled when its trace id falls in the ratio, as the specification's TraceIdRatioBased says, and
     * exactly the sampled traces reach the collector. The traces endpoint is used as it is, its path not appended to.
     */
    @Test
    void b3MultiHeadersAndTheParentBasedRatioSamplerAsTheWebhookAndTheCollectorSeeThem() throws Exception {
        TraceContext sampled = ObserverRun.writer(true);
        TraceContext unsampled = ObserverRun.writer(false);
        try (OtlpReceiver receiver = OtlpReceiver.http("/custom"); HookReceiver hooks = new HookReceiver()) {
            Map<String, String> env = Map.of(
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint() + "/custom/v1/traces",
                    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf",
                    "OTEL_PROPAGATORS", "b3multi",
                    "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                    "OTEL_TRACES_SAMPLER_ARG", "0.5",
                    "OTEL_BSP_SCHEDULE_DELAY", "100");
            try (ObserverRun run = allOrders(hooks, env)) {
                run.writeOrder("sampled", 1.0, sampled.traceparent(), null);
                run.writeOrder("unsampled", 2.0, unsampled.traceparent(), null);
                for (int i = 0; i < 10; i++) {
                    run.writeOrder("new" + i, 3.0, null, null);
                }
                assertThat(run.awaitProcessed(12)).isTrue();
            }
            List<RecordedRequest> delivered = hooks.requests(HookReceiver.ORDERS);
            assertThat(delivered).hasSize(12);
            Map<String, Boolean> decisions = new HashMap<>();
            for (RecordedRequest request : delivered) {
                assertThat(request.getHeaders().get("traceparent")).isNull();
                String traceId = request.getHeaders().get("X-B3-TraceId");
                assertThat(request.getHeaders().get("X-B3-SpanId")).hasSize(16);
                boolean isSampled = "1".equals(request.getHeaders().get("X-B3-Sampled"));
                String customer = HookReceiver.after(request).path("customer").asText();
                switch (customer) {
                    case "sampled" -> assertThat(traceId).isEqualTo(sampled.traceId());
                    case "unsampled" -> assertThat(traceId).isEqualTo(unsampled.traceId());
                    default -> assertThat(isSampled).as("new trace %s", traceId).isEqualTo(inHalf(traceId));
                }
                decisions.put(traceId, isSampled);
            }
            assertThat(decisions).containsEntry(sampled.traceId(), true).containsEntry(unsampled.traceId(), false);
            List<String> kept = decisions.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                    .toList();
            assertThat(Await.until(Duration.ofSeconds(30), () -> receiver.traceIds().containsAll(kept))).isTrue();
            assertThat(receiver.traceIds()).containsExactlyInAnyOrderElementsOf(kept);
            assertThat(receiver.paths()).containsOnly("/custom/v1/traces");
        }
    }

    /** TraceIdRatioBased at 0.5: the trace id's last 8 bytes, as a long, below half of Long.MAX_VALUE. */
    private static boolean inHalf(String traceId) {
        return Math.abs(Long.parseUnsignedLong(traceId.substring(16), 16)) < (long) (0.5 * Long.MAX_VALUE);
    }

    @Test
    void onlyErrorsExportsNothingForACleanEventAndTheWholeTreeOfARetriedOne() throws Exception {
        TraceContext clean = ObserverRun.writer(true);
        TraceContext retried = ObserverRun.writer(true);
        try (ZipkinServer zipkin = ZipkinServer.start(); HookReceiver hooks = new HookReceiver()) {
            String yaml = """
                    tracing:
                      enabled: true
                      only_errors: true
                      exporter: zipkin
                      endpoint: %s
                      batch: { schedule_delay: 100ms }
                    observers:
                    """.formatted(zipkin.endpoint())
                    + observer("clean", "after.customer == 'clean'", hooks.baseUrl() + HookReceiver.ORDERS)
                    + observer("flaky", "after.customer == 'flaky'", hooks.baseUrl() + HookReceiver.FLAKY);
            try (ObserverRun run = ObserverRun.start(postgres, yaml)) {
                run.writeOrder("clean", 10.0, clean.traceparent(), null);
                run.writeOrder("flaky", 20.0, retried.traceparent(), null);
                assertThat(run.awaitProcessed(2)).isTrue();
                assertThat(run.deadLetters()).isZero();
            }
            // Stopped: every span was handed to Zipkin. Once the retried tree is in, the clean one would be too.
            assertThat(Await.until(Duration.ofSeconds(60), () -> zipkin.spans(retried.traceId()).size() >= 6)).isTrue();
            List<ExportedSpan> tree = zipkin.spans(retried.traceId());
            // Not save_checkpoint: saves are batched (one per checkpoint_interval), so it lands in whichever event's
            // tree finds one due, which may be the other event's or none.
            assertThat(tree).extracting(ExportedSpan::name).contains("process_event", "load_checkpoint",
                    "evaluate_condition", "execute_actions", "cache_write", "export_metrics");
            List<ExportedSpan> attempts = tree.stream().filter(s -> s.name().equals("execute_action")).toList();
            assertThat(attempts).extracting(s -> s.attribute("attempt")).containsExactlyInAnyOrder("1", "2");
            assertThat(attempts).extracting(ExportedSpan::error).containsExactlyInAnyOrder(true, false);
            String root = tree.stream().filter(s -> s.name().equals("process_event")).findFirst().orElseThrow().spanId();
            assertThat(tree).filteredOn(s -> s.name().equals("execute_actions")).singleElement()
                    .extracting(ExportedSpan::parentId).isEqualTo(root);
            assertThat(zipkin.spans(clean.traceId())).as("the clean event's spans").isEmpty();
        }
    }

    @Test
    void withTracingOffMetricsCountTheEventsDelivered() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String scraped;
        try (HookReceiver hooks = new HookReceiver()) {
            // Two webhook observers of the same receiver: their attempts are two series, told apart by observer.
            String yaml = "metrics: { enabled: true, port: " + port + " }\nobservers:\n"
                    + observer("all_orders", "true", hooks.baseUrl() + HookReceiver.ORDERS)
                    + observer("not_ada", "after.customer != 'ada'", hooks.baseUrl() + HookReceiver.ORDERS);
            try (ObserverRun run = ObserverRun.start(postgres, yaml)) {
                run.writeOrder("ada", 10.0, null, null);
                run.writeOrder("bob", 20.0, ObserverRun.writer(true).traceparent(), null);
                run.writeOrder("cy", 30.0, null, null);
                assertThat(run.awaitProcessed(3)).isTrue();
                scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            }
            assertThat(hooks.requests(HookReceiver.ORDERS)).hasSize(5);
        }
        Matcher processed = Pattern.compile("pgobserver_events_processed_total\\{[^}]*outcome=\"matched\"[^}]*} (\\S+)")
                .matcher(scraped);
        assertThat(processed.find()).as(scraped).isTrue();
        assertThat(Double.parseDouble(processed.group(1))).isEqualTo(3.0);
        assertThat(scraped)
                .containsPattern("pgobserver_action_duration_seconds_count\\{action_type=\"webhook\",observer=\"all_orders\",[^}]*outcome=\"success\"} 3\\n")
                .containsPattern("pgobserver_action_duration_seconds_count\\{action_type=\"webhook\",observer=\"not_ada\",[^}]*outcome=\"success\"} 2\\n")
                .contains("pgobserver_checkpoint_age_seconds").doesNotContain("otel_sdk_span");
    }

    @Test
    void withTracingOffMetricsArePushedOverOtlpHttpToTheGenericEndpoint() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.http("/otlp")) {
            // The generic endpoint alone would switch tracing on too; TRACING_ENABLED=false keeps it off.
            pushesTheEventsProcessed(receiver, Map.of(
                    "TRACING_ENABLED", "false",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint() + "/otlp",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
            assertThat(receiver.paths()).isNotEmpty().containsOnly("/otlp/v1/metrics");
            assertThat(receiver.traceIds()).isEmpty();
        }
    }

    @Test
    void withTracingOffMetricsArePushedOverOtlpGrpcToTheMetricsEndpoint() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc()) {
            // The metrics endpoint names no place for spans, so tracing stays off without being told: the observer's
            // tracer records nothing (checked inside), and no span reaches this receiver.
            pushesTheEventsProcessed(receiver, Map.of(
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", receiver.endpoint(),
                    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"));
            assertThat(receiver.traceIds()).isEmpty();
        }
    }

    /**
     * Runs an observer with {@code metrics.exporter: otlp} and no tracing section, writes three orders and waits
     * for the receiver to hold the cumulative count of three, under the service name OTEL_SERVICE_NAME gives.
     */
    private static void pushesTheEventsProcessed(OtlpReceiver receiver, Map<String, String> endpoint)
            throws Exception {
        Map<String, String> env = new HashMap<>(endpoint);
        env.put("OTEL_SERVICE_NAME", "orders-metrics");
        // Every 200 ms instead of the SDK's 60 s, so the counts arrive while the observer runs.
        env.put("OTEL_METRIC_EXPORT_INTERVAL", "200");
        try (HookReceiver hooks = new HookReceiver()) {
            String yaml = "metrics: { enabled: true, exporter: otlp }\nobservers:\n"
                    + observer("all_orders", "true", hooks.baseUrl() + HookReceiver.ORDERS);
            try (ObserverRun run = ObserverRun.start(postgres, yaml, env)) {
                assertThat(run.tracing()).as("spans recorded with tracing off").isFalse();
                run.writeOrder("ada", 10.0, null, null);
                run.writeOrder("bob", 20.0, ObserverRun.writer(true).traceparent(), null);
                run.writeOrder("cy", 30.0, null, null);
                assertThat(run.awaitProcessed(3)).isTrue();
                assertThat(Await.until(Duration.ofSeconds(60), () -> receiver
                        .latestSum("pgobserver.events.processed", "outcome", "matched").equals(OptionalLong.of(3))))
                        .as("metrics received: %s", receiver.metricNames()).isTrue();
            }
            assertThat(hooks.requests(HookReceiver.ORDERS)).hasSize(3);
        }
        assertThat(receiver.latestSum("pgobserver.events.processed", "entity_type", "public.orders"))
                .hasValue(3);
        assertThat(receiver.metricNames()).contains("pgobserver.event.duration", "pgobserver.action.duration",
                "pgobserver.checkpoint.age");
        assertThat(receiver.metricResourceAttribute("service.name")).containsExactly("orders-metrics");
    }
}
