package io.pgobserver.adapters.actions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestSpans;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.TraceState;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook executor against a real HTTP server (OkHttp's MockWebServer). */
class WebhookExecutorIT {

    private static final String WRITER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String WRITER_SPAN_ID = "00f067aa0ba902b7";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final byte[] KEY = "a-32-byte-signing-key-for-tests!".getBytes(StandardCharsets.UTF_8);
    private static final String WHSEC = "whsec_" + Base64.getEncoder().encodeToString(KEY);

    private final MockWebServer server = new MockWebServer();
    private final RecordingTracer tracer = new RecordingTracer();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    /** Each HTTP request measured, as "method host:port status errorType". */
    private final List<String> measured = new CopyOnWriteArrayList<>();
    private final Metrics metrics = new Metrics() {
        @Override
        public void httpClientRequest(String method, String host, int port, int status, String errorType,
                                      long durationNanos) {
            assertThat(durationNanos).isPositive();
            measured.add(method + " " + host + ":" + port + " " + status + " " + errorType);
        }
    };
    private HttpTransport http;
    private WebhookExecutor executor;

    @BeforeEach
    void start() throws IOException {
        server.start();
        ActionsSettings settings = new ActionsSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), null);
        http = new HttpTransport(settings, metrics);
        executor = new WebhookExecutor(http, settings, Map.of("HOOK_TOKEN", "t0ken-from-env")::get, clock);
    }

    @AfterEach
    void stop() {
        http.stop();
        server.close();
    }

    private static ChangeEvent event() {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", 42);
        after.put("status", "shipped");
        after.put("total", new BigDecimal("150.50"));
        after.put("note", null);
        TraceContext writer = TraceContext.of(WRITER_TRACE_ID, WRITER_SPAN_ID, true)
                .withTraceState(TraceState.parse("vendor=abc,other=1"));
        return Events.event(7, "42", ChangeKind.UPDATED, Map.of("id", 42, "status", "paid"), after)
                .withTraceContext(writer);
    }

    private WebhookAction action(String path, Secret secret, Duration timeout) {
        return new WebhookAction(server.url(path).uri(), "POST", Map.of(), secret, timeout);
    }

    private static ActionRequest request(WebhookAction action, int attempt) {
        ChangeEvent event = event();
        return new ActionRequest(event, "order_shipped", action, 0, attempt,
                DeliveryKey.of("it", event, "order_shipped", "a0").id());
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest received = server.takeRequest(30, TimeUnit.SECONDS);
        assertThat(received).as("request received by the server").isNotNull();
        return received;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readJson(String json) throws IOException {
        return JsonMapper.builder().build().readValue(json, Map.class);
    }

    private static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).build();
    }

    private WebhookAction templated(String method, String pathTemplate) {
        HttpUrl base = server.url("/");
        return new WebhookAction(URI.create("http://" + base.host() + ":" + base.port()), method, Map.of(), null,
                null, pathTemplate);
    }

    /** A REST receiver's URL names the row: its values are encoded into their segment, never a path of their own. */
    @Test
    void aUrlTemplateSendsEachEventToItsOwnPathWithItsValuesEncoded() throws Exception {
        server.enqueue(status(204));
        server.enqueue(status(404));
        WebhookAction action = templated("PUT",
                "/orders/{{event.entity_id}}/status/{{after.status}}?was={{before.status}}");
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, event().traceContext());

        assertThat(executor.execute(request(action, 1), span)).isEqualTo(ActionResult.success("HTTP 204"));
        RecordedRequest received = take();
        assertThat(received.getMethod()).isEqualTo("PUT");
        assertThat(received.getUrl().encodedPath()).isEqualTo("/orders/42/status/shipped");
        assertThat(received.getUrl().query()).isEqualTo("was=paid");
        assertThat(span.attribute("url.full")).isEqualTo("http://" + server.getHostName() + ":" + server.getPort()
                + "/orders/42/status/shipped");

        ChangeEvent odd = Events.event(8, "a/b c", ChangeKind.UPDATED, Map.of("status", "x"),
                Map.of("status", "../admin"));
        ActionResult failed = executor.execute(new ActionRequest(odd, "o", action, 0, 1, "d"),
                TestSpans.actionSpan(tracer, odd.traceContext()));
        assertThat(take().getUrl().encodedPath()).isEqualTo("/orders/a%2Fb%20c/status/..%2Fadmin");
        assertThat(failed).isInstanceOf(ActionResult.Failure.class);
        assertThat(((ActionResult.Failure) failed).message()).startsWith("webhook PUT http://" + server.getHostName()
                + ":" + server.getPort() + "/orders/a%2Fb%20c/status/..%2Fadmin: HTTP 404");
    }

    /**
     * A configured body: the row as a REST receiver's PUT takes it, or a shape of the receiver's own, signed and traced
     * as the event's JSON is; a row's text is data, so what is sent is valid JSON whatever the row holds.
     */
    @Test
    void aBodyShapeIsRenderedPerEventSignedAndSentAsJson() throws Exception {
        server.enqueue(status(200));
        server.enqueue(status(200));
        HttpUrl base = server.url("/");
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("routing_key", "${not expanded here, the core does}");
        shape.put("summary", "Order {{after.id}} is {{after.status}}");
        shape.put("total", "{{after.total}}");
        shape.put("details", Map.of("was", "{{before}}", "note", "{{after.note}}"));
        WebhookAction shaped = new WebhookAction(URI.create("http://" + base.host() + ":" + base.port()), "POST",
                Map.of(), new Secret(WHSEC), null, "/events", shape);
        WebhookAction row = new WebhookAction(URI.create("http://" + base.host() + ":" + base.port()), "PUT",
                Map.of(), null, null, "/orders/{{event.entity_id}}", "{{after}}");
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, event().traceContext());

        assertThat(executor.execute(request(shaped, 1), span)).isEqualTo(ActionResult.success("HTTP 200"));
        RecordedRequest received = take();
        String body = received.getBody().utf8();
        // The shape's keys in the order written; the row image's as the event holds them (here a Map.of: any order).
        assertThat(body).startsWith("{\"routing_key\":\"${not expanded here, the core does}\","
                + "\"summary\":\"Order 42 is shipped\",\"total\":150.50,\"details\":{");
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) readJson(body).get("details");
        assertThat(details).containsOnlyKeys("was", "note").containsEntry("was", Map.of("id", 42, "status", "paid"))
                .containsEntry("note", null);
        assertThat(received.getHeaders().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(received.getHeaders().get("traceparent")).startsWith("00-" + WRITER_TRACE_ID + "-");
        assertThat(received.getHeaders().get("webhook-signature")).isEqualTo("v1," + hmac(KEY,
                received.getHeaders().get("webhook-id") + "." + received.getHeaders().get("webhook-timestamp") + "."
                        + body));

        ChangeEvent odd = Events.event(9, "7", ChangeKind.CREATED, Map.of(),
                Map.of("id", 7, "name", "\",\"admin\":true,\"x\":\"{{after.id}}"));
        executor.execute(new ActionRequest(odd, "o", row, 0, 1, "d"), TestSpans.actionSpan(tracer,
                odd.traceContext()));
        RecordedRequest put = take();
        assertThat(put.getMethod()).isEqualTo("PUT");
        assertThat(put.getUrl().encodedPath()).isEqualTo("/orders/7");
        assertThat(readJson(put.getBody().utf8())).isEqualTo(Map.of("id", 7,
                "name", "\",\"admin\":true,\"x\":\"{{after.id}}"));
    }

    /**
     * A form body, as Twilio's Messages API takes it: each field encoded, a number with its digits, a null field left
     * out, a list repeating its field; credentials in the URL as Basic authentication, the form bytes signed.
     */
    @Test
    void aFormBodySendsEachFieldEncodedAndSigned() throws Exception {
        server.enqueue(status(201));
        HttpUrl base = server.url("/");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("To", "+15550001111");
        fields.put("Body", "Order {{after.id}} is {{after.status}}: 100% & more = é");
        fields.put("Total", "{{after.total}}");
        fields.put("Note", "{{after.note}}");
        fields.put("Tag", List.of("a b", "{{after.id}}"));
        WebhookAction twilio = new WebhookAction(URI.create("http://AC123:auth-token@" + base.host() + ":"
                + base.port() + "/2010-04-01/Accounts/AC123/Messages.json"), "POST", Map.of(), new Secret(WHSEC), null,
                null, fields, true);

        assertThat(executor.execute(request(twilio, 1), TestSpans.NOOP)).isEqualTo(ActionResult.success("HTTP 201"));
        RecordedRequest received = take();
        String body = received.getBody().utf8();
        assertThat(received.getHeaders().get("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(received.getHeaders().get("Authorization")).isEqualTo(okhttp3.Credentials.basic("AC123",
                "auth-token"));
        // HTML's form encoding: a space is '+', and '+' itself is %2B.
        assertThat(body).isEqualTo("To=%2B15550001111&Body=Order+42+is+shipped%3A+100%25+%26+more+%3D+%C3%A9"
                + "&Total=150.50&Tag=a+b&Tag=42");
        assertThat(received.getHeaders().get("webhook-signature")).isEqualTo("v1," + hmac(KEY,
                received.getHeaders().get("webhook-id") + "." + received.getHeaders().get("webhook-timestamp") + "."
                        + body));

        // An object cannot be a form field: the event's action fails for good, and nothing is sent.
        WebhookAction row = new WebhookAction(server.url("/form").uri(), "POST", Map.of(), null, null, null,
                Map.of("row", "{{after}}"), true);
        ActionResult failed = executor.execute(request(row, 1), TestSpans.NOOP);
        assertThat(failed).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("body field 'row' holds an object, which a form field cannot");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThatThrownBy(() -> new WebhookAction(server.url("/form").uri(), "POST", Map.of(), null, null, null,
                "{{after}}", true)).hasMessageContaining("set body to a mapping of field names to values");
        assertThatThrownBy(() -> new WebhookAction(server.url("/form").uri(), "POST", Map.of(), null, null, null,
                Map.of("customer", Map.of("id", "{{after.id}}")), true))
                .hasMessageContaining("body.customer: a form field holds text");
    }

    @Test
    void aBodyWithATemplateThatDoesNotCompileStopsTheStartNamingWhereItIs() {
        WebhookAction action = new WebhookAction(server.url("/hook").uri(), "POST", Map.of(), null, null, null,
                Map.of("order", List.of("{{after.id}}", "{{#after.lines}}")));
        assertThatThrownBy(() -> executor.validate(action))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("webhook POST " + Urls.redact(server.url("/hook").uri())
                        + ": body at order[1] does not compile");
        assertThatThrownBy(() -> new WebhookAction(server.url("/hook").uri(), "GET", Map.of(), null, null, null,
                "{{after}}")).hasMessageContaining("a GET sends no body");
    }

    @Test
    void aUrlTemplateThatDoesNotCompileStopsTheStartNamingIt() {
        assertThatThrownBy(() -> executor.validate(templated("POST", "/orders/{{after.id")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("webhook POST http://" + server.getHostName() + ":" + server.getPort()
                        + "/orders/{{after.id: url template does not compile");
    }

    /** A value the event does not have fails that event's action for good, and sends nothing: never /orders/. */
    @Test
    void aUrlTemplateWithoutItsValueSendsNothingAndFailsPermanently() {
        WebhookAction action = templated("DELETE", "/orders/{{after.code}}");
        ActionResult result = executor.execute(request(action, 1),
                TestSpans.actionSpan(tracer, event().traceContext()));

        assertThat(result).isInstanceOf(ActionResult.Failure.class);
        ActionResult.Failure failure = (ActionResult.Failure) result;
        assertThat(failure.permanent()).isTrue();
        assertThat(failure.message()).startsWith("webhook DELETE http://" + server.getHostName() + ":"
                + server.getPort() + "/orders/{{after.code}}: url template failed to render").contains("after.code");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void postsTheEventAsJsonWithTheSpansTraceparent() throws Exception {
        server.enqueue(status(200));
        WebhookAction action = action("/hooks/orders", null, null);
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, event().traceContext());

        ActionResult result = executor.execute(request(action, 1), span);

        assertThat(result).isEqualTo(ActionResult.success("HTTP 200"));
        RecordedRequest received = take();
        assertThat(received.getMethod()).isEqualTo("POST");
        assertThat(received.getUrl().encodedPath()).isEqualTo("/hooks/orders");
        TraceContext sent = TraceContext.parse(received.getHeaders().get("traceparent")).orElseThrow();
        assertThat(sent.traceId()).isEqualTo(WRITER_TRACE_ID);
        assertThat(sent.spanId()).isEqualTo(span.spanId).isNotEqualTo(WRITER_SPAN_ID);
        assertThat(sent.isSampled()).isTrue();
        assertThat(received.getHeaders().get("content-type")).isEqualTo("application/json; charset=utf-8");

        Map<String, Object> body = readJson(received.getBody().utf8());
        ChangeEvent event = event();
        assertThat(body.keySet()).containsExactly("event_id", "entity_type", "entity_id", "kind", "before", "after",
                "occurred_at", "observer");
        assertThat(body.get("event_id")).isEqualTo(event.id());
        assertThat(body.get("entity_type")).isEqualTo("public.orders");
        assertThat(body.get("entity_id")).isEqualTo("42");
        assertThat(body.get("kind")).isEqualTo("updated");
        assertThat(body.get("occurred_at")).isEqualTo("2026-01-01T00:00:00.007Z");
        assertThat(body.get("observer")).isEqualTo("order_shipped");
        assertThat(body.get("before")).isEqualTo(Map.of("id", 42, "status", "paid"));
        assertThat(received.getBody().utf8()).contains("\"total\":150.50", "\"note\":null");

        assertThat(span.attributes()).containsEntry("action_type", "webhook")
                .containsEntry("target_url", server.url("/hooks/orders").toString())
                .containsEntry("url.full", server.url("/hooks/orders").toString())
                .containsEntry("http_method", "POST")
                .containsEntry("http.request.method", "POST")
                .containsEntry("http_status", 200L)
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("server.address", server.getHostName())
                .containsKey("response_time_ms");
        assertThat(measured).containsExactly("POST " + server.getHostName() + ":" + server.getPort() + " 200 null");
    }

    @Test
    void withoutTracingTheWritersContextPassesThrough() throws Exception {
        server.enqueue(status(204));
        ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        RecordedRequest received = take();
        assertThat(received.getHeaders().get("traceparent")).isEqualTo("00-" + WRITER_TRACE_ID + "-" + WRITER_SPAN_ID + "-01");
        assertThat(received.getHeaders().get("tracestate")).isEqualTo("vendor=abc,other=1");
    }

    @Test
    void anEventWithoutContextAndNoTracingSendsNoTraceparent() throws Exception {
        server.enqueue(status(200));
        ChangeEvent event = Events.updated(1, "1", "paid", "shipped");
        WebhookAction action = action("/hook", null, null);
        executor.execute(new ActionRequest(event, "o", action, 0, 1, "d-1"), TestSpans.NOOP);

        RecordedRequest received = take();
        assertThat(received.getHeaders().get("traceparent")).isNull();
        assertThat(received.getHeaders().get("webhook-id")).isEqualTo("d-1");
    }

    @Test
    void webhookIdIsStableAcrossRetriesAndTheSignatureVerifies() throws Exception {
        server.enqueue(status(503));
        server.enqueue(status(200));
        WebhookAction action = action("/hook", new Secret(WHSEC), null);

        ActionResult first = executor.execute(request(action, 1), TestSpans.actionSpan(tracer, event().traceContext()));
        ActionResult second = executor.execute(request(action, 2), TestSpans.actionSpan(tracer, event().traceContext()));

        assertThat(first).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).contains("HTTP 503");
        });
        assertThat(second).isInstanceOf(ActionResult.Success.class);
        RecordedRequest one = take();
        RecordedRequest two = take();
        String id = one.getHeaders().get("webhook-id");
        assertThat(id).isEqualTo(DeliveryKey.of("it", event(), "order_shipped", "a0").id());
        assertThat(two.getHeaders().get("webhook-id")).isEqualTo(id);
        assertThat(one.getHeaders().get("traceparent")).isNotEqualTo(two.getHeaders().get("traceparent"));
        for (RecordedRequest received : List.of(one, two)) {
            String timestamp = received.getHeaders().get("webhook-timestamp");
            assertThat(timestamp).isEqualTo(Long.toString(NOW.getEpochSecond()));
            assertThat(received.getHeaders().get("webhook-signature"))
                    .isEqualTo("v1," + hmac(KEY, id + "." + timestamp + "." + received.getBody().utf8()));
        }
    }

    @Test
    void aSecretWithoutPrefixSignsWithItsUtf8Bytes() throws Exception {
        server.enqueue(status(200));
        executor.execute(request(action("/hook", new Secret("plain secret ü"), null), 1), TestSpans.NOOP);

        RecordedRequest received = take();
        String signed = received.getHeaders().get("webhook-id") + "." + received.getHeaders().get("webhook-timestamp")
                + "." + received.getBody().utf8();
        assertThat(received.getHeaders().get("webhook-signature"))
                .isEqualTo("v1," + hmac("plain secret ü".getBytes(StandardCharsets.UTF_8), signed));
    }

    @Test
    void unsignedWithoutSecret() throws Exception {
        server.enqueue(status(200));
        executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);
        assertThat(take().getHeaders().get("webhook-signature")).isNull();
    }

    private static String hmac(byte[] key, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aBadRequestIsPermanentAndQuotesTheResponse() {
        server.enqueue(new MockResponse.Builder().code(400).body("{\"error\":\"unknown field\"}").build());
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor.execute(request(action("/hook", null, null), 1), span);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("HTTP 400", "unknown field");
        });
        assertThat(span.attributes()).containsEntry("http_status", 400L);
    }

    @Test
    void serverErrorsAreTransientOtherClientErrorsPermanent() {
        // (OkHttp itself repeats a request once on 408 before answering; HttpTransportTest covers 408.)
        // 409: a conflict may clear, and a receiver answering it for a duplicate is better retried than parked.
        for (int code : new int[] {409, 500, 502, 504}) {
            server.enqueue(status(code));
            ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);
            assertThat(result).as("HTTP " + code).isInstanceOfSatisfying(ActionResult.Failure.class,
                    f -> assertThat(f.permanent()).isFalse());
        }
        // 501 and 505: a method or HTTP version the receiver does not implement never passes on a retry.
        for (int code : new int[] {401, 403, 404, 410, 422, 501, 505}) {
            server.enqueue(status(code));
            ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);
            assertThat(result).as("HTTP " + code).isInstanceOfSatisfying(ActionResult.Failure.class,
                    f -> assertThat(f.permanent()).isTrue());
        }
    }

    @Test
    void tooManyRequestsIsTransientWithTheServersRetryAfter() {
        server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "2").build());

        ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        });
    }

    @Test
    void aFractionalRetryAfterIsRoundedUpNotIgnored() {
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "1.5").build());

        ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class,
                f -> assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    void unavailableWithAnHttpDateRetryAfter() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(90),
                ZoneOffset.UTC));
        server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", date).build());

        ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(90));
            assertThat(f.errorType()).as("error.type: the status code").isEqualTo("503");
        });
        assertThat(measured).containsExactly("POST " + server.getHostName() + ":" + server.getPort() + " 503 503");
    }

    @Test
    void aSlowServerTimesOutAsATransientFailure() {
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(20, TimeUnit.SECONDS).build());
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        ActionResult result = executor.execute(request(action("/slow", null, Duration.ofMillis(500)), 1), span);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).contains("timed out");
            assertThat(f.errorType()).as("error.type, as the metric has it").isEqualTo("timeout");
        });
        assertThat(span.attributes()).containsKey("response_time_ms").doesNotContainKey("http_status");
        assertThat(measured).containsExactly("POST " + server.getHostName() + ":" + server.getPort() + " 0 timeout");
    }

    @Test
    void aSlowBodyTimesOutToo() {
        server.enqueue(new MockResponse.Builder().code(500).body("{}").bodyDelay(20, TimeUnit.SECONDS).build());

        ActionResult result = executor.execute(request(action("/slow", null, Duration.ofMillis(500)), 1),
                TestSpans.NOOP);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).contains("HTTP 500 (the rest of the answer did not come: timeout: no complete "
                    + "response within the deadline of 500ms)");
        });
    }

    @Test
    void aSilentReceiverTimesOutAtTheReadTimeoutLongBeforeTheCallsDeadline() {
        // The read timeout, not the call's deadline: reported as a read timeout, as the socket's own used to be.
        server.enqueue(new MockResponse.Builder().code(200).headersDelay(20, TimeUnit.SECONDS).build());

        assertThat(executeWithAReadTimeoutOf300Millis("/silent")).isInstanceOfSatisfying(ActionResult.Failure.class,
                f -> {
                    assertThat(f.permanent()).isFalse();
                    assertThat(f.message()).contains("timed out", "SocketTimeoutException")
                            .doesNotContain("deadline");
                    assertThat(f.errorType()).isEqualTo("timeout");
                });
    }

    @Test
    void aBodyThatStopsComingTimesOutAtTheReadTimeoutToo() {
        // Headers at once, then nothing: the wait for the body is bounded like the wait for the headers.
        server.enqueue(new MockResponse.Builder().code(503).body("{\"ok\":false}").bodyDelay(20, TimeUnit.SECONDS)
                .build());

        assertThat(executeWithAReadTimeoutOf300Millis("/slow-body")).isInstanceOfSatisfying(
                ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).isFalse();
                    assertThat(f.message()).contains("HTTP 503", "read timeout of 300ms").doesNotContain("deadline");
                });
    }

    @Test
    void aSuccessWhoseBodyBreaksOffIsDeliveredNotSentAgain() throws Exception {
        // The receiver said 2xx, so it has the event: a retry would only deliver it twice, and a dead letter would
        // send it once more on replay. Its body stalling (up to the read timeout) or the connection reset mid-body
        // changes nothing.
        server.enqueue(new MockResponse.Builder().code(200).body("{\"ok\":true}").bodyDelay(20, TimeUnit.SECONDS)
                .build());
        assertThat(executeWithAReadTimeoutOf300Millis("/stalled")).isEqualTo(ActionResult.success("HTTP 200"));
        // The server resets the connection half way through the body: 50 KB in, before the 64 KiB that are read.
        server.enqueue(new MockResponse.Builder().code(202).body("x".repeat(100_000))
                .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
        assertThat(executor.execute(request(action("/reset", null, null), 1), TestSpans.NOOP))
                .isEqualTo(ActionResult.success("HTTP 202"));
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(measured).as("the metric still tells the body's failure")
                .containsExactly("POST " + server.getHostName() + ":" + server.getPort() + " 200 timeout",
                        "POST " + server.getHostName() + ":" + server.getPort() + " 202 java.net.ProtocolException");
    }

    /** One webhook call to {@code path} with a read timeout of 300 ms and a whole-call deadline of 5 minutes. */
    private ActionResult executeWithAReadTimeoutOf300Millis(String path) {
        HttpTransport quickRead = new HttpTransport(
                new ActionsSettings(Duration.ofSeconds(5), Duration.ofMillis(300), null), metrics);
        try {
            WebhookExecutor quick = new WebhookExecutor(quickRead, ActionsSettings.defaults(),
                    Map.<String, String>of()::get, clock);
            return quick.execute(request(action(path, null, Duration.ofMinutes(5)), 1), TestSpans.NOOP);
        } finally {
            quickRead.stop();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aSendTheReceiverStopsReadingEndsAtTheCallsDeadline() throws IOException {
        // A receiver that takes the connection and never reads: the body fills the socket buffers and the write
        // blocks. There is no write timeout; the whole-call deadline ends it.
        try (ServerSocket deaf = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try (Socket ignored = deaf.accept()) {
                    Thread.sleep(Duration.ofMinutes(2));
                } catch (IOException | InterruptedException e) {
                    // the test is over
                }
            });
            Request request = new Request.Builder().url("http://127.0.0.1:" + deaf.getLocalPort() + "/deaf")
                    .post(RequestBody.create(new byte[64 * 1024 * 1024], MediaType.get("application/octet-stream")))
                    .build();

            assertThatThrownBy(() -> http.send(request, Duration.ofMillis(500), false))
                    .isInstanceOf(InterruptedIOException.class)
                    .hasMessageContaining("no complete response within the deadline of 500ms");
            acceptor.interrupt();
        }
    }

    @Test
    void anUnreachableReceiverIsTransient() throws IOException {
        URI closed = server.url("/hook").uri();
        server.close();
        ActionResult result = executor.execute(request(new WebhookAction(closed, null), 1), TestSpans.NOOP);
        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).contains("webhook POST " + closed);
            assertThat(f.errorType()).as("error.type: the exception's class").isEqualTo("java.net.ConnectException");
        });
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anEndlessResponseBodyIsReadOnlyUpToTheLimit() {
        server.enqueue(new MockResponse.Builder().code(200).body(new EndlessBody()).build());
        server.enqueue(new MockResponse.Builder().code(500).body(new EndlessBody()).build());
        // A deadline long enough that only a bounded read can finish before it.
        WebhookAction action = action("/endless", null, Duration.ofMinutes(3));

        assertThat(executor.execute(request(action, 1), TestSpans.NOOP)).isEqualTo(ActionResult.success("HTTP 200"));
        ActionResult failure = executor.execute(request(action, 2), TestSpans.NOOP);
        assertThat(failure).isInstanceOfSatisfying(ActionResult.Failure.class,
                f -> assertThat(f.message()).contains("HTTP 500").hasSizeLessThan(1000));
    }

    /** A chunked body that never ends: it writes until the client hangs up. */
    private static final class EndlessBody implements MockResponseBody {
        @Override
        public long getContentLength() {
            return -1;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            byte[] chunk = "x".repeat(8192).getBytes(StandardCharsets.US_ASCII);
            while (true) {
                sink.write(chunk);
                sink.flush();
            }
        }
    }

    @Test
    void credentialsAndQueryNeverReachSpanAttributesButCredentialsAuthenticate() throws Exception {
        server.enqueue(status(200));
        URI url = URI.create("http://hook-user:hook-pass@" + server.getHostName() + ":" + server.getPort()
                + "/hooks/orders?token=query-secret");
        RecordingTracer.RecordedSpan span = TestSpans.actionSpan(tracer, TraceContext.NONE);

        executor.execute(request(new WebhookAction(url, null), 1), span);

        RecordedRequest received = take();
        assertThat(received.getUrl().queryParameter("token")).isEqualTo("query-secret");
        assertThat(received.getHeaders().get("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("hook-user:hook-pass".getBytes()));
        String shown = span.attributes().values().toString();
        assertThat(shown).doesNotContain("hook-user", "hook-pass", "query-secret", "token=");
        assertThat(span.attribute("url.full")).isEqualTo("http://" + server.getHostName() + ":" + server.getPort()
                + "/hooks/orders");
        assertThat(new WebhookAction(url, null).describe()).doesNotContain("hook-pass", "query-secret");
    }

    @Test
    void extraHeadersExpandEnvironmentVariablesAndTheMethodIsConfigurable() throws Exception {
        server.enqueue(status(200));
        WebhookAction action = new WebhookAction(server.url("/hook").uri(), "put",
                Map.of("Authorization", "Bearer ${HOOK_TOKEN}", "X-Team", "orders"), null, null);

        executor.validate(action);
        executor.execute(request(action, 1), TestSpans.NOOP);

        RecordedRequest received = take();
        assertThat(received.getMethod()).isEqualTo("PUT");
        assertThat(received.getHeaders().get("Authorization")).isEqualTo("Bearer t0ken-from-env");
        assertThat(received.getHeaders().get("X-Team")).isEqualTo("orders");
    }

    @Test
    void anUnsetVariableIsABootErrorThatDoesNotShowTheHeaderValue() {
        WebhookAction action = new WebhookAction(server.url("/hook").uri(), "POST",
                Map.of("Authorization", "Bearer ${MISSING_TOKEN} extra-literal"), null, null);
        assertThatThrownBy(() -> executor.validate(action))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Authorization'")
                .hasMessageContaining("${MISSING_TOKEN}")
                .hasMessageNotContaining("extra-literal");
    }

    @Test
    void reservedHeadersAndUnsupportedMethodsAreBootErrors() {
        assertThatThrownBy(() -> executor.validate(new WebhookAction(server.url("/").uri(), "POST",
                Map.of("webhook-signature", "v1,forged"), null, null)))
                .hasMessageContaining("'webhook-signature' is set by pg-observer");
        assertThatThrownBy(() -> executor.validate(new WebhookAction(server.url("/").uri(), "TRACE", null, null, null)))
                .hasMessageContaining("method 'TRACE' is not supported");
        assertThatThrownBy(() -> executor.validate(new WebhookAction(server.url("/").uri(), "POST",
                Map.of("X-Token", "line\nbreak-secret"), null, null)))
                .hasMessageContaining("'X-Token' has an invalid name or value")
                .hasMessageNotContaining("break-secret");
        assertThatThrownBy(() -> executor.validate(new WebhookAction(server.url("/").uri(), new Secret("whsec_!!notbase64"))))
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("notbase64");
    }

    @Test
    void aRedirectIsNotFollowedForPostAndTheDeadLetterNamesTheUrlToConfigure() throws Exception {
        // Permanent or temporary, absolute or relative: dead-lettered at once, naming where the receiver points
        // (without the credentials or query string it may carry).
        Map<Integer, String> locations = new LinkedHashMap<>();
        locations.put(301, "https://user:pw@hooks.example.com/v2/orders?token=s3cret");
        locations.put(302, "https://login.example.com/sso");
        locations.put(307, "/v2/hook");
        locations.put(308, "https://hooks.example.com/v2/orders");
        for (Map.Entry<Integer, String> redirect : locations.entrySet()) {
            server.enqueue(new MockResponse.Builder().code(redirect.getKey())
                    .addHeader("Location", redirect.getValue()).build());

            ActionResult result = executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);

            String expected = redirect.getValue().startsWith("/") ? server.url(redirect.getValue()).toString()
                    : redirect.getValue().replace("user:pw@", "").replace("?token=s3cret", "");
            assertThat(result).as("HTTP " + redirect.getKey()).isInstanceOfSatisfying(ActionResult.Failure.class,
                    f -> {
                        assertThat(f.permanent()).isTrue();
                        assertThat(f.message()).contains("HTTP " + redirect.getKey() + " (not retried: the receiver "
                                        + "redirects to " + expected, "set the action's url to that address")
                                .doesNotContain("s3cret", "pw@");
                    });
        }
        server.enqueue(status(302));
        assertThat(executor.execute(request(action("/hook", null, null), 1), TestSpans.NOOP))
                .isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.message())
                        .contains("HTTP 302 (not retried: the receiver redirects", "set the action's url to the final"));
        for (int i = 0; i <= locations.size(); i++) {
            assertThat(take().getUrl().encodedPath()).as("only the configured url is asked").isEqualTo("/hook");
        }
        assertThat(server.getRequestCount()).isEqualTo(locations.size() + 1);
    }

    @Test
    void aRedirectIsFollowedForGetWhichSendsNoBody() throws Exception {
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", server.url("/final")).build());
        server.enqueue(status(200));
        WebhookAction action = new WebhookAction(server.url("/start").uri(), "GET", null, null, null);

        ActionResult result = executor.execute(request(action, 1), TestSpans.NOOP);

        assertThat(result).isEqualTo(ActionResult.success("HTTP 200"));
        assertThat(take().getUrl().encodedPath()).isEqualTo("/start");
        RecordedRequest followed = take();
        assertThat(followed.getUrl().encodedPath()).isEqualTo("/final");
        assertThat(followed.getBodySize()).isZero();
    }

    @Test
    void theHostAllowListIsCheckedAtBootAndOnRedirects() throws Exception {
        ActionsSettings onlyThisHost = new ActionsSettings(null, null, Set.of(server.getHostName()));
        WebhookExecutor guarded = new WebhookExecutor(http, onlyThisHost, name -> null, clock);

        assertThatThrownBy(() -> guarded.validate(new WebhookAction(URI.create("https://evil.example.net/x"), null)))
                .hasMessageContaining("host 'evil.example.net' is not in actions.allowed_hosts");
        ActionResult direct = guarded.execute(request(new WebhookAction(URI.create("https://evil.example.net/x"),
                null), 1), TestSpans.NOOP);
        assertThat(direct).isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.permanent()).isTrue());

        String otherHost = server.getHostName().equals("127.0.0.1") ? "localhost" : "127.0.0.1";
        server.enqueue(new MockResponse.Builder().code(302)
                .addHeader("Location", "http://" + otherHost + ":" + server.getPort() + "/inside").build());
        WebhookAction get = new WebhookAction(server.url("/start").uri(), "GET", null, null, null);
        guarded.validate(get);
        ActionResult redirected = guarded.execute(request(get, 1), TestSpans.NOOP);
        assertThat(redirected).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("host '" + otherHost + "' is not in actions.allowed_hosts");
        });
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    /**
     * A request that waits for its host's slot ({@code actions.max_requests_per_host}) is stamped and signed when it
     * is sent, not when it began to wait: behind a slow receiver that wait has no bound, and the guide's receivers
     * refuse a {@code webhook-timestamp} more than five minutes old as a replay. Here the wait lasts ten minutes of
     * the executor's clock.
     */
    @Test
    @Timeout(60)
    void aRequestWaitingForItsHostsSlotIsStampedAndSignedWhenItIsSent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getUrl().encodedPath().equals("/busy")) {
                    release.await(); // the host's one slot stays taken until the test lets it go
                }
                return status(200);
            }
        });
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        Clock moving = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        ActionsSettings oneAtATime = new ActionsSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), null, 1);
        HttpTransport oneSlot = new HttpTransport(oneAtATime, Metrics.NOOP);
        WebhookExecutor stamping = new WebhookExecutor(oneSlot, oneAtATime, name -> null, moving);
        try {
            Thread busy = Thread.startVirtualThread(() -> stamping.execute(request(action("/busy", null,
                    Duration.ofSeconds(50)), 1), TestSpans.NOOP));
            assertThat(take().getUrl().encodedPath()).isEqualTo("/busy");
            Thread waiting = Thread.startVirtualThread(() -> stamping.execute(request(action("/hook",
                    new Secret(WHSEC), null), 1), TestSpans.NOOP));
            while (!(waiting.getState() == Thread.State.WAITING && Arrays.stream(waiting.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().endsWith("HostLimits")))) {
                Thread.sleep(10); // until the second request waits for the slot
            }
            now.set(NOW.plus(Duration.ofMinutes(10)));
            release.countDown();

            RecordedRequest sent = take();
            String timestamp = sent.getHeaders().get("webhook-timestamp");
            assertThat(timestamp).isEqualTo(Long.toString(NOW.plus(Duration.ofMinutes(10)).getEpochSecond()));
            assertThat(sent.getHeaders().get("webhook-signature")).isEqualTo("v1," + hmac(KEY,
                    sent.getHeaders().get("webhook-id") + "." + timestamp + "." + sent.getBody().utf8()));
            busy.join();
            waiting.join();
        } finally {
            release.countDown();
            oneSlot.stop();
        }
    }

    /**
     * The guide's receivers, run as written, verify real requests signed with either kind of secret ({@code whsec_}
     * and base64, or plain text), refuse the same request with another secret, and refuse a correctly signed request
     * whose timestamp is ten minutes old (their five-minute tolerance).
     */
    @ParameterizedTest
    @EnumSource(GuideReceivers.Receiver.class)
    void theGuidesReceiversVerifyWhatIsSentAndNothingElse(GuideReceivers.Receiver receiver) throws Exception {
        ActionsSettings settings = new ActionsSettings(Duration.ofSeconds(5), Duration.ofSeconds(5), null);
        WebhookExecutor live = new WebhookExecutor(http, settings, name -> null, Clock.systemUTC());
        String otherWhsec = "whsec_" + Base64.getEncoder().encodeToString("another-32-byte-key-for-tests!!!"
                .getBytes(StandardCharsets.UTF_8));
        List<GuideReceivers.Check> checks = new ArrayList<>();
        for (String secret : List.of(WHSEC, "plain secret ü")) {
            server.enqueue(status(200));
            live.execute(request(action("/hook", new Secret(secret), null), 1), TestSpans.NOOP);
            RecordedRequest sent = take();
            checks.add(new GuideReceivers.Check(secret, sent));
            checks.add(new GuideReceivers.Check(otherWhsec, sent));
            checks.add(new GuideReceivers.Check("plain secret u", sent));
        }
        WebhookExecutor late = new WebhookExecutor(http, settings, name -> null,
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10)));
        server.enqueue(status(200));
        late.execute(request(action("/hook", new Secret(WHSEC), null), 1), TestSpans.NOOP);
        RecordedRequest stale = take();
        String timestamp = stale.getHeaders().get("webhook-timestamp");
        assertThat(stale.getHeaders().get("webhook-signature")).as("signed as any other").isEqualTo("v1," + hmac(KEY,
                stale.getHeaders().get("webhook-id") + "." + timestamp + "." + stale.getBody().utf8()));
        checks.add(new GuideReceivers.Check(WHSEC, stale));
        // An action without a secret sends no webhook-signature: a receiver that expects one refuses it, not crashes.
        server.enqueue(status(200));
        live.execute(request(action("/hook", null, null), 1), TestSpans.NOOP);
        RecordedRequest unsigned = take();
        assertThat(unsigned.getHeaders().get("webhook-signature")).isNull();
        checks.add(new GuideReceivers.Check(WHSEC, unsigned));

        assertThat(receiver.verify(checks)).as("whsec_: its own secret, another whsec_, another plain one; plain: the"
                + " same three; a timestamp ten minutes old; no signature").containsExactly(true, false, false, true,
                false, false, false, false);
    }

    /**
     * The guide's example request is what is sent: its headers (Content-Type as it is written), and its body's fields
     * in their order, each of the JSON type the example shows (ids as strings, row images as objects, the time as
     * ISO-8601 in UTC).
     */
    @Test
    void theGuidesExampleRequestIsWhatIsSent() throws Exception {
        server.enqueue(status(200));
        // Tracing off: the writer's traceparent and tracestate are passed on.
        executor.execute(request(action("/hooks/orders", new Secret(WHSEC), null), 1), TestSpans.NOOP);
        RecordedRequest sent = take();

        String example = GuideReceivers.section("## Webhook requests", "http");
        String[] parts = example.split("\n\n", 2);
        List<String> headerLines = parts[0].lines().skip(1).toList();
        assertThat(parts[0].lines().findFirst().orElseThrow()).isEqualTo(sent.getMethod() + " "
                + sent.getUrl().encodedPath() + " HTTP/1.1");
        for (String line : headerLines) {
            String name = line.substring(0, line.indexOf(':'));
            assertThat(sent.getHeaders().get(name)).as("header %s", name).isNotNull();
            if (name.equalsIgnoreCase("Content-Type")) {
                assertThat(sent.getHeaders().get(name)).isEqualTo(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        JsonNode documented = JsonMapper.builder().build().readTree(parts[1]);
        JsonNode real = JsonMapper.builder().build().readTree(sent.getBody().utf8());
        assertThat(real.properties()).as("the body's fields, in order").extracting(Map.Entry::getKey)
                .containsExactlyElementsOf(documented.properties().stream().map(Map.Entry::getKey).toList());
        documented.properties().forEach(field -> assertThat(real.get(field.getKey()).getNodeType())
                .as("the JSON type of %s", field.getKey()).isEqualTo(field.getValue().getNodeType()));
        for (JsonNode body : List.of(documented, real)) {
            assertThat(body.get("occurred_at").asText()).as("occurred_at")
                    .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
        }
    }
}
