package io.pgobserver.adapters.actions;

import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestSpans;
import io.pgobserver.domain.trace.TraceContext;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Slack executor against a local HTTP server answering as Slack's Web API and incoming webhooks do. */
class SlackExecutorIT {

    private static final String TOKEN = "xoxb-test-bot-token-1234";
    private static final String HOOK_PATH = "/services/T000/B000/hook-secret-part";

    private final MockWebServer slack = new MockWebServer();
    private final RecordingTracer tracer = new RecordingTracer();
    private HttpTransport http;
    private SlackExecutor executor;

    @BeforeEach
    void start() throws IOException {
        slack.start();
        ActionsSettings settings = ActionsSettings.defaults();
        http = new HttpTransport(settings, Metrics.NOOP);
        executor = new SlackExecutor(http, settings, Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        http.stop();
        slack.close();
    }

    private SlackAction webApi(String text, String threadTs) {
        return new SlackAction(null, new Secret(TOKEN), slack.url("/api").uri(), "#orders", text, threadTs);
    }

    private SlackAction incomingWebhook(String text) {
        return new SlackAction(slack.url(HOOK_PATH).uri(), null, null, null, text, null);
    }

    private static ActionRequest request(SlackAction action) {
        return request(action, Map.of("id", 42, "status", "shipped", "slack_ts", "1700000000.000100",
                "customer", "Tom & <Jerry>"));
    }

    private static ActionRequest request(SlackAction action, Map<String, Object> after) {
        ChangeEvent event = Events.event(5, "42", ChangeKind.UPDATED, Map.of("id", 42, "status", "paid"), after);
        return new ActionRequest(event, "order_shipped", action, 1, 1, DeliveryKey.of("it", event, "order_shipped", "a1").id());
    }

    private static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest received = slack.takeRequest(30, TimeUnit.SECONDS);
        assertThat(received).as("request received by the Slack stand-in").isNotNull();
        return received;
    }

    private RecordingTracer.RecordedSpan span() {
        return TestSpans.actionSpan(tracer, TraceContext.NONE);
    }

    @Test
    void postsAMessageWithTheWebApi() throws Exception {
        // Slack's advice beside ok:true is not a failure: the message is posted.
        slack.enqueue(json("{\"ok\":true,\"channel\":\"C123\",\"ts\":\"1700000001.000200\",\"message\":{},"
                + "\"warning\":\"missing_charset\",\"response_metadata\":{\"warnings\":[\"missing_charset\"]}}"));
        RecordingTracer.RecordedSpan span = span();
        SlackAction action = webApi("Order {{after.id}} {{after.status}} for {{after.customer}}", null);
        executor.validate(action);

        ActionResult result = executor.execute(request(action), span);

        assertThat(result).isEqualTo(ActionResult.success("slack message ts=1700000001.000200"));
        RecordedRequest received = take();
        assertThat(received.getMethod()).isEqualTo("POST");
        assertThat(received.getUrl().encodedPath()).isEqualTo("/api/chat.postMessage");
        assertThat(received.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(received.getHeaders().get("Content-Type")).startsWith("application/json");
        Map<String, Object> body = WebhookExecutorIT.readJson(received.getBody().utf8());
        assertThat(body).isEqualTo(Map.of("channel", "#orders",
                "text", "Order 42 shipped for Tom &amp; &lt;Jerry&gt;"));
        String text = "Order 42 shipped for Tom &amp; &lt;Jerry&gt;";
        assertThat(span.attributes()).containsEntry("action_type", "slack")
                .containsEntry("channel", "#orders")
                .containsEntry("thread_id", "1700000001.000200")
                .containsEntry("message_length", (long) text.length())
                .containsEntry("http.response.status_code", 200L)
                .containsEntry("url.full", slack.url("/api/chat.postMessage").toString());
        assertThat(span.attributes().toString()).doesNotContain(TOKEN);
    }

    /** Anyone who can write the column could otherwise notify the whole channel or post a disguised link. */
    private static final String HOSTILE_NOTE = "<!channel> <https://evil.example|x> & more";
    private static final String TEMPLATE_WITH_MARKUP =
            "<!here> Order {{after.id}}: {{after.note}} <https://example.com/orders/{{after.id}}|open>";
    private static final String HOSTILE_NOTE_SHOWN = "<!here> Order 42: &lt;!channel&gt; "
            + "&lt;https://evil.example|x&gt; &amp; more <https://example.com/orders/42|open>";

    @Test
    void aRowValueIsEscapedForSlackButTheTemplatesOwnMarkupIsKept() throws Exception {
        slack.enqueue(json("{\"ok\":true,\"ts\":\"1700000001.000201\"}"));

        ActionResult result = executor.execute(request(webApi(TEMPLATE_WITH_MARKUP, null),
                Map.of("id", 42, "note", HOSTILE_NOTE)), TestSpans.NOOP);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        assertThat(take().getBody().utf8())
                .isEqualTo("{\"channel\":\"#orders\",\"text\":\"" + HOSTILE_NOTE_SHOWN + "\"}");
    }

    @Test
    void anIncomingWebhookEscapesRowValuesToo() throws Exception {
        slack.enqueue(new MockResponse.Builder().code(200).body("ok").build());

        ActionResult result = executor.execute(request(incomingWebhook(TEMPLATE_WITH_MARKUP),
                Map.of("id", 42, "note", HOSTILE_NOTE)), TestSpans.NOOP);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        assertThat(take().getBody().utf8()).isEqualTo("{\"text\":\"" + HOSTILE_NOTE_SHOWN + "\"}");
    }

    @Test
    void tripleBracesOrAnAmpersandInsertARowValueAsItIs() throws Exception {
        slack.enqueue(new MockResponse.Builder().code(200).body("ok").build());

        executor.execute(request(incomingWebhook("{{{after.link}}} / {{& after.link}}"),
                Map.of("id", 42, "link", "<https://example.com/42|order 42> & co")), TestSpans.NOOP);

        assertThat(take().getBody().utf8()).isEqualTo(
                "{\"text\":\"<https://example.com/42|order 42> & co / <https://example.com/42|order 42> & co\"}");
    }

    @Test
    void jsonSpecialCharactersInAValueStillMakeValidJson() throws Exception {
        slack.enqueue(json("{\"ok\":true,\"ts\":\"1700000001.000202\"}"));
        String note = "say \"hi\" \\ C:\\tmp\nline 2\ttab \u0001 </script> <b>";

        executor.execute(request(webApi("Note: {{after.note}}", null), Map.of("id", 42, "note", note)),
                TestSpans.NOOP);

        String body = take().getBody().utf8();
        assertThat(body).isEqualTo("{\"channel\":\"#orders\",\"text\":\"Note: say \\\"hi\\\" \\\\ C:\\\\tmp\\nline 2"
                + "\\ttab \\u0001 &lt;/script&gt; &lt;b&gt;\"}");
        assertThat(WebhookExecutorIT.readJson(body)).containsEntry("text",
                "Note: say \"hi\" \\ C:\\tmp\nline 2\ttab \u0001 &lt;/script&gt; &lt;b&gt;");
    }

    @Test
    void repliesInAThread() throws Exception {
        slack.enqueue(json("{\"ok\":true,\"ts\":\"1700000002.000300\"}"));
        RecordingTracer.RecordedSpan span = span();

        ActionResult result = executor.execute(request(webApi("Shipped", "{{after.slack_ts}}")), span);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        Map<String, Object> body = WebhookExecutorIT.readJson(take().getBody().utf8());
        assertThat(body).containsEntry("thread_ts", "1700000000.000100").containsEntry("text", "Shipped");
        assertThat(span.attributes()).containsEntry("thread_id", "1700000000.000100");
    }

    @Test
    void aThreadTemplateThatRendersEmptyPostsToTheChannel() throws Exception {
        slack.enqueue(json("{\"ok\":true,\"ts\":\"1700000003.000400\"}"));
        executor.execute(request(webApi("Shipped", "{{after.no_such_field}}")), TestSpans.NOOP);
        assertThat(WebhookExecutorIT.readJson(take().getBody().utf8())).doesNotContainKey("thread_ts");
    }

    @Test
    void http429IsTransientWithSlacksRetryAfter() {
        slack.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "30").build());

        ActionResult result = executor.execute(request(webApi("hi", null)), span());

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(30));
            assertThat(f.message()).contains("HTTP 429").doesNotContain(TOKEN);
        });
    }

    @Test
    void ratelimitedInTheBodyIsTransientToo() {
        slack.enqueue(new MockResponse.Builder().code(200).addHeader("Retry-After", "3")
                .body("{\"ok\":false,\"error\":\"ratelimited\"}").build());

        ActionResult result = executor.execute(request(webApi("hi", null)), span());

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        });
    }

    @Test
    void anOkFalseErrorIsPermanentAndExplained() {
        slack.enqueue(json("{\"ok\":false,\"error\":\"channel_not_found\"}"));
        slack.enqueue(json("{\"ok\":false,\"error\":\"invalid_auth\"}"));

        ActionResult notFound = executor.execute(request(webApi("hi", null)), span());
        ActionResult badToken = executor.execute(request(webApi("hi", null)), span());

        assertThat(notFound).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).isEqualTo("slack #orders: chat.postMessage failed: channel_not_found (not "
                    + "retried: no such channel, or the bot cannot see it: check the channel, and invite the bot to it "
                    + "(/invite @bot in the channel))");
            assertThat(f.errorType()).as("error.type: Slack's error code").isEqualTo("channel_not_found");
        });
        assertThat(badToken).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("invalid_auth", "check the slack action's token").doesNotContain(TOKEN);
        });
    }

    /** Each Web API refusal Slack documents for chat.postMessage: retried only when it may pass, else its fix named. */
    @Test
    void everyWebApiErrorIsRetriedOnlyWhenItMayPassAndOtherwiseNamesTheFix() {
        Map<String, String> permanent = new LinkedHashMap<>();
        permanent.put("invalid_auth", "check the slack action's token");
        permanent.put("not_authed", "check the slack action's token");
        permanent.put("account_inactive", "reinstall the app and set its new bot token");
        permanent.put("token_revoked", "issue a new bot token");
        permanent.put("channel_not_found", "/invite @bot");
        permanent.put("not_in_channel", "invite it (/invite @bot in the channel)");
        permanent.put("is_archived", "unarchive it, or set another channel");
        permanent.put("msg_too_long", "shorten the text template");
        permanent.put("no_text", "make the text template produce text for every row");
        List<String> transientErrors = List.of("fatal_error", "internal_error", "service_unavailable",
                "request_timeout", "ratelimited");
        permanent.keySet().forEach(error -> slack.enqueue(json("{\"ok\":false,\"error\":\"" + error + "\"}")));
        transientErrors.forEach(error -> slack.enqueue(json("{\"ok\":false,\"error\":\"" + error + "\"}")));

        permanent.forEach((error, fix) -> assertThat(executor.execute(request(webApi("hi", null)), TestSpans.NOOP))
                .as(error).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).as(error + " is dead-lettered at once").isTrue();
                    assertThat(f.message()).contains(error + " (not retried: ", fix).doesNotContain(TOKEN);
                }));
        transientErrors.forEach(error -> assertThat(executor.execute(request(webApi("hi", null)), TestSpans.NOOP))
                .as(error).isInstanceOfSatisfying(ActionResult.Failure.class,
                        f -> assertThat(f.permanent()).as(error + " is retried").isFalse()));
    }

    /** An incoming webhook answers a status and Slack's code as plain text: the fix is named, the URL never. */
    @Test
    void incomingWebhookErrorsNameTheFix() {
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("400 invalid_payload", "check what the text template produces");
        answers.put("400 no_text", "make the text template produce text for every row");
        answers.put("400 too_many_attachments", "too many attachments");
        answers.put("403 action_prohibited", "a Slack admin restricted what this webhook may post");
        answers.put("403 invalid_token", "create a new incoming webhook in the Slack app and set webhook_url");
        answers.put("404 channel_not_found", "the webhook's channel was deleted: create a new incoming webhook");
        answers.put("404 no_service", "the incoming webhook was removed or disabled: create a new incoming webhook");
        answers.put("410 channel_is_archived", "unarchive it, or create a new incoming webhook");
        answers.keySet().forEach(answer -> slack.enqueue(new MockResponse.Builder()
                .code(Integer.parseInt(answer.substring(0, 3))).body(answer.substring(4)).build()));
        slack.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").body("rate_limited").build());
        slack.enqueue(new MockResponse.Builder().code(503).body("service_unavailable").build());

        answers.forEach((answer, fix) -> assertThat(executor.execute(request(incomingWebhook("x")), TestSpans.NOOP))
                .as(answer).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).as(answer + " is dead-lettered at once").isTrue();
                    assertThat(f.message()).contains("HTTP " + answer.replaceFirst(" ", ": "), fix)
                            .doesNotContain("hook-secret-part");
                }));
        assertThat(executor.execute(request(incomingWebhook("x")), TestSpans.NOOP))
                .isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                    assertThat(f.permanent()).isFalse();
                    assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                });
        assertThat(executor.execute(request(incomingWebhook("x")), TestSpans.NOOP))
                .isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.permanent()).isFalse());
    }

    /** Slack refuses a text past 40,000 characters (msg_too_long) every time: a retry cannot help, a cut does. */
    @Test
    void aTextLongerThanSlackTakesIsCutWithAMarker() throws Exception {
        slack.enqueue(json("{\"ok\":true,\"ts\":\"1700000004.000500\"}"));
        slack.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        String note = "x & y ".repeat(10_000);
        RecordingTracer.RecordedSpan span = span();

        ActionResult viaApi = executor.execute(request(webApi("Note: {{after.note}}", null), Map.of("id", 42,
                "note", note)), span);
        ActionResult viaHook = executor.execute(request(incomingWebhook("Note: {{after.note}}"), Map.of("id", 42,
                "note", note)), TestSpans.NOOP);

        assertThat(viaApi).isEqualTo(ActionResult.success("slack message ts=1700000004.000500 (text cut to 40000 "
                + "characters)"));
        assertThat(viaHook).isInstanceOf(ActionResult.Success.class);
        for (int i = 0; i < 2; i++) {
            String sent = (String) WebhookExecutorIT.readJson(take().getBody().utf8()).get("text");
            assertThat(sent.length()).isLessThanOrEqualTo(40_000);
            assertThat(sent).startsWith("Note: x &amp; y x &amp; y")
                    .endsWith("\n... (cut by pg-observer: the text had 100006 characters; Slack takes 40000)");
        }
        assertThat(span.attributes()).containsEntry("message_cut", true);
    }

    @Test
    void anEmptyTextIsRefusedWithoutAskingSlack() {
        slack.enqueue(new MockResponse.Builder().code(400).body("no_text").build());

        ActionResult result = executor.execute(request(incomingWebhook("{{after.note}}"), Map.of("id", 42)),
                TestSpans.NOOP);

        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).isEqualTo("slack (incoming webhook): the text template rendered nothing for this "
                    + "event, and Slack refuses an empty message (no_text): make it produce text for every row, such "
                    + "as \"Order {{after.id}}: {{after.note}}\" rather than \"{{after.note}}\" alone");
        });
        assertThat(slack.getRequestCount()).isZero();
    }

    @Test
    void slackSideFaultsAreTransient() {
        slack.enqueue(json("{\"ok\":false,\"error\":\"internal_error\"}"));
        slack.enqueue(new MockResponse.Builder().code(503).build());
        slack.enqueue(new MockResponse.Builder().code(200).body("<html>proxy error</html>").build());

        for (int i = 0; i < 3; i++) {
            ActionResult result = executor.execute(request(webApi("hi", null)), TestSpans.NOOP);
            assertThat(result).as("answer " + i).isInstanceOfSatisfying(ActionResult.Failure.class,
                    f -> assertThat(f.permanent()).isFalse());
        }
    }

    @Test
    void postsToAnIncomingWebhookWithoutShowingItsUrl() throws Exception {
        slack.enqueue(new MockResponse.Builder().code(200).body("ok").build());
        RecordingTracer.RecordedSpan span = span();

        ActionResult result = executor.execute(request(incomingWebhook("Order {{after.id}} shipped")), span);

        assertThat(result).isInstanceOf(ActionResult.Success.class);
        RecordedRequest received = take();
        assertThat(received.getUrl().encodedPath()).isEqualTo(HOOK_PATH);
        assertThat(received.getHeaders().get("Authorization")).isNull();
        assertThat(WebhookExecutorIT.readJson(received.getBody().utf8()))
                .isEqualTo(Map.of("text", "Order 42 shipped"));
        assertThat(span.attributes()).containsEntry("message_length", 16L).doesNotContainKey("url.full");
        assertThat(span.attributes().toString()).doesNotContain("hook-secret-part", "/services/");
    }

    @Test
    void a200WhoseBodyBreaksOffPostedForAnIncomingWebhookButNotKnownForTheWebApi() {
        // An incoming webhook's 200 is the whole answer: posting again would show the message twice. The Web API
        // says in its JSON whether it posted: without it the attempt failed, as before.
        for (int i = 0; i < 2; i++) {
            slack.enqueue(new MockResponse.Builder().code(200).body("x".repeat(100_000))
                    .onResponseBody(new SocketEffect.CloseSocket(true, false, false)).build());
        }

        assertThat(executor.execute(request(incomingWebhook("x")), TestSpans.NOOP))
                .isEqualTo(ActionResult.success("slack incoming webhook: HTTP 200"));
        assertThat(executor.execute(request(webApi("x", null)), TestSpans.NOOP))
                .isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.permanent()).isFalse());
    }

    @Test
    void incomingWebhookErrorsKeepTheUrlSecret() {
        slack.enqueue(new MockResponse.Builder().code(404).body("no_service").build());
        slack.enqueue(new MockResponse.Builder().code(500).body("rollup_error").build());

        ActionResult gone = executor.execute(request(incomingWebhook("x")), TestSpans.NOOP);
        ActionResult fault = executor.execute(request(incomingWebhook("x")), TestSpans.NOOP);

        assertThat(gone).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("HTTP 404", "no_service").doesNotContain("hook-secret-part");
        });
        assertThat(fault).isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.permanent()).isFalse());
    }

    /**
     * Where an incoming webhook redirects (an http:// webhook_url sent on to https://) holds the same secret path, and
     * the answer's body may repeat it: the letter names the scheme and host only, and quotes nothing.
     */
    @Test
    void aRedirectOfAnIncomingWebhookKeepsTheUrlSecret() {
        String moved = "https://hooks.example.com" + HOOK_PATH;
        slack.enqueue(new MockResponse.Builder().code(301).addHeader("Location", moved)
                .body("<a href=\"" + moved + "\">Moved Permanently</a>.").build());
        slack.enqueue(new MockResponse.Builder().code(308).addHeader("Location", HOOK_PATH).build());

        ActionResult elsewhere = executor.execute(request(incomingWebhook("x")), TestSpans.NOOP);
        ActionResult relative = executor.execute(request(incomingWebhook("x")), TestSpans.NOOP);

        assertThat(elsewhere).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.errorType()).isEqualTo("301");
            assertThat(f.message()).contains("HTTP 301 (not retried: the webhook_url redirects to "
                    + "https://hooks.example.com/… (the rest of that address is the webhook's secret, not shown here)",
                    "set webhook_url to the address it redirects to").doesNotContain("hook-secret-part");
        });
        assertThat(relative).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isTrue();
            assertThat(f.message()).contains("redirects to http://" + slack.url("/").host() + ":" + slack.url("/").port()
                    + "/…").doesNotContain("hook-secret-part");
        });
    }

    @Test
    void anUnreachableSlackIsTransientAndKeepsTheUrlSecret() {
        URI closedHook = slack.url(HOOK_PATH).uri();
        slack.close();
        ActionResult result = executor.execute(request(new SlackAction(closedHook, null, null, null, "x", null)),
                TestSpans.NOOP);
        assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
            assertThat(f.permanent()).isFalse();
            assertThat(f.message()).doesNotContain("hook-secret-part");
            assertThat(String.valueOf(f.cause())).doesNotContain("hook-secret-part");
        });
    }

    @Test
    void aTextTemplateThatDoesNotCompileIsABootError() {
        assertThatThrownBy(() -> executor.validate(webApi("{{#after}}never closed", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slack #orders: text template does not compile");
    }
}
