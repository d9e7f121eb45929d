package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.PreparedActions;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.templates.Templates;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Posts a Slack message: to an incoming-webhook URL ({@code {"text": ...}}), or with the Web API's
 * {@code chat.postMessage} and a bot token ({@code {channel, text, thread_ts}}). The webhook URL and the token
 * are credentials: neither appears in a span, a log line or a failure message. The text is a
 * {@link Templates#slack} template: row values are escaped for Slack, the template's own markup is kept.
 *
 * <p>The Web API answers errors with HTTP 200 and {@code {"ok": false, "error": "..."}}, an incoming webhook with
 * an HTTP status and the code as its body: rate limits and Slack-side faults are retried (with Slack's
 * {@code Retry-After}), everything else (a bad token, an unknown channel) is permanent and names its fix
 * ({@link SlackErrors}). A text Slack would refuse is not sent as it is ({@link SlackText}).
 */
@Singleton
final class SlackExecutor implements ActionExecutor {

    /** What a Web API error code looks like: used as {@code error.type}, anything else is {@code _OTHER}. */
    private static final Pattern SLACK_ERROR_CODE = Pattern.compile("[a-z_]{1,64}");

    private final HttpTransport http;
    private final Duration deadline;
    private final Clock clock;
    private final PreparedActions<SlackAction, Prepared> prepared =
            new PreparedActions<>(SlackAction.class, this::prepare);

    @Inject
    SlackExecutor(HttpTransport http, ActionsSettings settings) {
        this(http, settings, Clock.systemUTC());
    }

    SlackExecutor(HttpTransport http, ActionsSettings settings, Clock clock) {
        this.http = http;
        this.deadline = settings.connectTimeout().plus(settings.readTimeout());
        this.clock = clock;
    }

    /**
     * @param url        where to post: the incoming webhook, or the Web API's chat.postMessage
     * @param webApi     true for chat.postMessage with a token
     * @param shownUrl   the URL as spans may show it: the Web API endpoint, never an incoming-webhook URL
     */
    private record Prepared(HttpUrl url, boolean webApi, String shownUrl, Templates.Template text,
                            Templates.Template threadTs, String what) {
    }

    @Override
    public String type() {
        return "slack";
    }

    @Override
    public void validate(ActionSpec action) {
        prepared.get(action);
    }

    private Prepared prepare(SlackAction action) {
        String what = action.describe();
        // Row values are escaped for Slack (a note of "<!channel>" is shown, not a mention); thread_ts is an id that
        // Slack never formats, so it is inserted as it is.
        Templates.Template text = Templates.slack(what + ": text template", action.text());
        Templates.Template threadTs = action.threadTs() == null || action.threadTs().isBlank()
                ? null : Templates.text(what + ": thread_ts template", action.threadTs());
        if (action.token() != null) {
            HttpUrl base = HttpUrl.parse(action.apiUrl().toString());
            if (base == null) {
                throw new IllegalArgumentException(what + ": api_url " + Urls.redact(action.apiUrl())
                        + " is not a valid http(s) URL");
            }
            HttpUrl url = base.newBuilder().addPathSegment("chat.postMessage").build();
            return new Prepared(url, true, Urls.redact(url.toString()), text, threadTs, what);
        }
        HttpUrl url = HttpUrl.parse(action.webhookUrl().toString());
        if (url == null) {
            throw new IllegalArgumentException(what + ": webhook_url is not a valid http(s) URL");
        }
        return new Prepared(url, false, null, text, threadTs, what);
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        Prepared slack;
        try {
            slack = prepared.get(request.action());
        } catch (IllegalArgumentException e) {
            return ActionResult.Failure.permanentFailure(e.getMessage(), null);
        }
        SlackAction action = (SlackAction) request.action();
        Map<String, Object> context = request.templateContext();
        SlackText text;
        String threadTs;
        try {
            text = SlackText.of(slack.text().render(context));
            threadTs = slack.threadTs() == null ? null : slack.threadTs().render(context).strip();
        } catch (Templates.TemplateException e) {
            return ActionResult.Failure.permanentFailure(e.getMessage(), e);
        }
        if (text == null) {
            return ActionResult.Failure.permanentFailure(slack.what() + ": the text template rendered nothing for "
                    + "this event, and Slack refuses an empty message (no_text): make it produce text for every row, "
                    + "such as \"Order {{after.id}}: {{after.note}}\" rather than \"{{after.note}}\" alone", null);
        }
        if (threadTs != null && threadTs.isEmpty()) {
            threadTs = null;
        }
        boolean recording = span.isRecording();
        if (recording) {
            span.setAttribute("action_type", "slack")
                    .setAttribute("message_length", text.text().length())
                    .setAttribute("http.request.method", "POST")
                    .setAttribute("server.address", slack.url().host());
            if (action.channel() != null) {
                span.setAttribute("channel", action.channel());
            }
            if (text.cut()) {
                span.setAttribute("message_cut", true);
            }
            if (slack.shownUrl() != null) {
                span.setAttribute("url.full", slack.shownUrl());
            }
            if (threadTs != null) {
                span.setAttribute("thread_id", threadTs);
            }
        }
        Map<String, Object> message = new LinkedHashMap<>(4);
        if (slack.webApi()) {
            message.put("channel", action.channel());
        }
        message.put("text", text.text());
        if (threadTs != null) {
            message.put("thread_ts", threadTs);
        }
        Request.Builder builder = new Request.Builder()
                .url(slack.url())
                .header("User-Agent", "pg-observer")
                .post(RequestBody.create(EventJson.bytes(message), WebhookExecutor.JSON));
        if (slack.webApi()) {
            builder.header("Authorization", "Bearer " + action.token().reveal());
        }
        HttpTransport.Exchange exchange;
        try {
            exchange = http.send(builder.build(), deadline, false);
        } catch (IOException e) {
            return HttpFailures.ioFailure(slack.what(), e);
        }
        if (recording) {
            span.setAttribute("http.response.status_code", exchange.status());
        }
        if (!exchange.isSuccessful()) {
            return slack.webApi() ? HttpFailures.statusFailure(slack.what(), exchange, clock, false)
                    : SlackErrors.incomingWebhook(slack.what(), exchange, clock);
        }
        String cut = text.cut() ? " (text cut to " + SlackText.MAX_LENGTH + " characters)" : "";
        if (!slack.webApi()) {
            return ActionResult.success("slack incoming webhook: HTTP " + exchange.status() + cut);
        }
        if (exchange.cutOff() != null) {
            // chat.postMessage says in its JSON whether it posted: without it, the attempt's outcome is unknown.
            return HttpFailures.ioFailure(slack.what(), exchange.cutOff());
        }
        return webApiResult(slack, exchange, threadTs, span, cut);
    }

    private ActionResult webApiResult(Prepared slack, HttpTransport.Exchange exchange, String threadTs, Span span,
                                      String cut) {
        Map<String, Object> answer = EventJson.readObject(exchange.body());
        if (answer == null || !(answer.get("ok") instanceof Boolean ok)) {
            return ActionResult.Failure.transientFailure(slack.what() + ": chat.postMessage answered HTTP "
                    + exchange.status() + " without Slack's {\"ok\": ...} JSON: " + exchange.snippet(), null);
        }
        if (ok) {
            Object ts = answer.get("ts");
            if (threadTs == null && ts != null && span.isRecording()) {
                span.setAttribute("thread_id", ts.toString());
            }
            // A "warning" or "response_metadata" beside ok:true is advice about the request: the message is posted.
            return ActionResult.success("slack message ts=" + ts + cut);
        }
        String error = String.valueOf(answer.get("error"));
        boolean permanent = !SlackErrors.isTransient(error);
        String message = slack.what() + ": chat.postMessage failed: " + error + SlackErrors.webApiFix(error, permanent);
        // error.type is Slack's own error code when it looks like one (channel_not_found), so a metric label
        // never carries whatever else a server put there.
        String errorType = SLACK_ERROR_CODE.matcher(error).matches() ? error : null;
        if (!permanent) {
            return new ActionResult.Failure(message, false,
                    HttpFailures.retryAfter(exchange.headers().get("Retry-After"), clock), null, errorType);
        }
        return new ActionResult.Failure(message, true, null, null, errorType);
    }
}
