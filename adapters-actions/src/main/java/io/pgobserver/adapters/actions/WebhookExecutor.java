package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.port.PreparedActions;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.templates.JsonTemplate;
import io.pgobserver.templates.Templates;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import okhttp3.Credentials;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends the event as JSON ({@link EventBody}, the schema the kafka action sends too), or the configured {@code body}
 * rendered for it, to a URL: W3C {@code traceparent}/{@code tracestate} of the action's span, the Standard Webhooks
 * headers, and the configured extra headers.
 */
@Singleton
final class WebhookExecutor implements ActionExecutor {

    static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
    static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
    private static final Set<String> METHODS = Set.of("POST", "PUT", "PATCH", "DELETE", "GET");
    /** Headers pg-observer sets itself; configuring them would break tracing, signing or the request. */
    private static final Set<String> RESERVED_HEADERS = Set.of("webhook-id", "webhook-timestamp", "webhook-signature",
            "webhook-replay",
            "traceparent", "tracestate", "content-length", "host", "transfer-encoding", "connection");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final HttpTransport http;
    private final HostAllowList allowList;
    private final UnaryOperator<String> environment;
    private final Clock clock;
    private final PreparedActions<WebhookAction, Prepared> prepared =
            new PreparedActions<>(WebhookAction.class, this::prepare);

    @Inject
    WebhookExecutor(HttpTransport http, ActionsSettings settings) {
        this(http, settings, System::getenv, Clock.systemUTC());
    }

    WebhookExecutor(HttpTransport http, ActionsSettings settings, UnaryOperator<String> environment, Clock clock) {
        this.http = http;
        this.allowList = new HostAllowList(settings.allowedHosts());
        this.environment = environment;
        this.clock = clock;
    }

    /**
     * An action's settings, checked and parsed once. With a {@code path} template, {@code url} is the scheme, host
     * and port that the rendered path and query resolve against.
     */
    private record Prepared(HttpUrl url, Templates.Template path, String method, Headers headers, WebhookSigner signer,
                            Duration timeout, String redactedUrl, String what, JsonTemplate body, boolean form) {
        boolean hasBody() {
            return !method.equals("GET");
        }

        /** This event's body: the event's JSON, or the configured shape rendered for it. */
        byte[] body(ActionRequest request) throws Templates.TemplateException {
            if (!hasBody()) {
                return new byte[0];
            }
            if (body == null) {
                return EventBody.json(request);
            }
            Object rendered = body.render(request.templateContext());
            return form ? FormFields.encode(what, rendered) : EventBody.write(rendered);
        }

        MediaType contentType() {
            return form ? FORM : JSON;
        }

        /** The URL of this event's request: the fixed one, or the template's path and query rendered for it. */
        HttpUrl url(ActionRequest request) throws Templates.TemplateException {
            if (path == null) {
                return url;
            }
            String rendered = path.render(request.templateContext());
            HttpUrl resolved = url.resolve(rendered);
            if (resolved == null || !resolved.host().equals(url.host()) || resolved.port() != url.port()) {
                // The rendered path, not its query: a query may carry a row's values that are nobody's business.
                throw new IllegalArgumentException(what + ": the url template rendered '" + rendered.split("\\?", 2)[0]
                        + "', which is no path of " + Urls.redact(url.uri()));
            }
            return resolved;
        }
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public void validate(ActionSpec action) {
        prepared.get(action);
    }

    private Prepared prepare(WebhookAction action) {
        String redacted = Urls.redact(action.url());
        HttpUrl url = HttpUrl.parse(action.url().toString());
        if (url == null) {
            throw new IllegalArgumentException("webhook url " + redacted + " is not a valid http(s) URL");
        }
        if (!allowList.allows(url.host())) {
            throw new IllegalArgumentException("webhook url " + redacted + ": host '" + url.host()
                    + "' is not in actions.allowed_hosts; add it there or change the url");
        }
        if (!METHODS.contains(action.method())) {
            throw new IllegalArgumentException("webhook method '" + action.method() + "' is not supported: use one of "
                    + "POST, PUT, PATCH, DELETE or GET");
        }
        Headers.Builder headers = new Headers.Builder();
        for (Map.Entry<String, String> header : action.headers().entrySet()) {
            String name = header.getKey();
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("webhook header '" + name
                        + "' is set by pg-observer itself; remove it from headers");
            }
            String value = expand(name, header.getValue());
            try {
                headers.set(name, value);
            } catch (IllegalArgumentException e) {
                // OkHttp's message may quote the value, which can be a credential: say only where the problem is.
                throw new IllegalArgumentException("webhook header '" + name.replaceAll("[^\\x21-\\x7e]", "?")
                        + "' has an invalid name or value (only visible ASCII in names; no line breaks or control"
                        + " characters in values)");
            }
        }
        if (!url.username().isEmpty() && headers.get("Authorization") == null) {
            // As curl does: credentials in the URL become HTTP Basic authentication.
            headers.set("Authorization", Credentials.basic(url.username(), url.password()));
        }
        WebhookSigner signer = action.secret() == null ? null : WebhookSigner.of(action.secret());
        String what = "webhook " + action.method() + " " + action.shownUrl();
        Templates.Template path = action.pathTemplate() == null ? null
                : Templates.url(what + ": url template", action.pathTemplate());
        JsonTemplate body = action.body() == null ? null : Templates.json(what + ": body", action.body());
        return new Prepared(url, path, action.method(), headers.build(), signer, action.timeout(), redacted, what,
                body, action.form());
    }

    /** Replaces {@code ${VAR}} in a header value from the environment; the value itself is never shown. */
    private String expand(String header, String value) {
        if (value == null) {
            throw new IllegalArgumentException("webhook header '" + header + "' has no value");
        }
        Matcher matcher = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1);
            String replacement = environment.apply(variable);
            if (replacement == null) {
                throw new IllegalArgumentException("webhook header '" + header + "' uses ${" + variable
                        + "}, which is not set in the environment; set it or change the header");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * The request with {@code webhook-timestamp} (and {@code webhook-signature}, which covers it) of the moment it is
     * sent, once its host has a free request slot: "when the attempt was sent", as the guide says and receivers check.
     */
    private Request stamped(Request.Builder builder, Prepared hook, String deliveryId, byte[] body) {
        long timestamp = clock.instant().getEpochSecond();
        builder.header("webhook-timestamp", Long.toString(timestamp));
        if (hook.signer() != null) {
            builder.header("webhook-signature", hook.signer().sign(deliveryId, timestamp, body));
        }
        return builder.build();
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        Prepared hook;
        try {
            hook = prepared.get(request.action());
        } catch (IllegalArgumentException e) {
            return ActionResult.Failure.permanentFailure(e.getMessage(), null);
        }
        HttpUrl url;
        byte[] body;
        try {
            url = hook.url(request);
            body = hook.body(request);
        } catch (Templates.TemplateException | IllegalArgumentException e) {
            // This event's values do not make a URL or a body: another attempt would render the same.
            return ActionResult.Failure.permanentFailure(e.getMessage(), e);
        }
        // A rendered URL as sent, its values still encoded ("a%2Fb" is one segment, "a/b" two), less what Urls drops.
        String shown = hook.path() == null ? hook.redactedUrl()
                : url.newBuilder().username("").password("").query(null).fragment(null).build().toString();
        // Failures name the URL this event's request went to, not the template.
        String what = hook.path() == null ? hook.what() : "webhook " + hook.method() + " " + shown;
        boolean recording = span.isRecording();
        if (recording) {
            span.setAttribute("action_type", "webhook")
                    .setAttribute("target_url", shown)
                    .setAttribute("http_method", hook.method())
                    .setAttribute("http.request.method", hook.method())
                    .setAttribute("url.full", shown)
                    .setAttribute("server.address", url.host())
                    .setAttribute("server.port", url.port());
        }
        Request.Builder builder = new Request.Builder()
                .url(url)
                .headers(hook.headers())
                .method(hook.method(), hook.hasBody() ? RequestBody.create(body, hook.contentType()) : null)
                .tag(HostAllowList.class, allowList);
        if (hook.headers().get("user-agent") == null) {
            builder.header("User-Agent", "pg-observer");
        }
        // W3C traceparent/tracestate, or what OTEL_PROPAGATORS names when the OpenTelemetry tracer is installed.
        span.propagate(request.event().traceContext(), builder::header);
        builder.header("webhook-id", request.deliveryId());
        if (request.replay()) {
            builder.header("webhook-replay", "true");
        }
        HttpTransport.Exchange exchange;
        long started = System.nanoTime();
        try {
            exchange = http.send(url, () -> stamped(builder, hook, request.deliveryId(), body), hook.timeout(),
                    !hook.hasBody());
        } catch (IOException e) {
            if (recording) {
                span.setAttribute("response_time_ms", Duration.ofNanos(System.nanoTime() - started).toMillis());
            }
            return HttpFailures.ioFailure(what, e);
        }
        if (recording) {
            span.setAttribute("http_status", exchange.status())
                    .setAttribute("http.response.status_code", exchange.status())
                    .setAttribute("response_time_ms", exchange.elapsedMillis());
        }
        // A 2xx whose body then broke off is delivered: the receiver said so, and sending it again would only
        // deliver it twice (its body is never read for anything else).
        return exchange.isSuccessful()
                ? ActionResult.success("HTTP " + exchange.status())
                : HttpFailures.statusFailure(what, exchange, clock);
    }
}
