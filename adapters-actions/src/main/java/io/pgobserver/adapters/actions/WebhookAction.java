package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.observer.Urls;
import io.pgobserver.templates.Templates;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code { type: webhook, url: ... }}: POST (or another method) of the event as JSON to a URL, with the Standard
 * Webhooks headers. Messages name the action's keys; the core puts the action's path in front of them.
 *
 * @param url          where to send; credentials and query strings in it are never shown in spans or logs. With a
 *                     {@code pathTemplate}, the scheme, host and port alone ({@code https://api.example.com})
 * @param method       the HTTP method, {@code POST} by default
 * @param headers      extra request headers
 * @param secret       the signing secret ({@code whsec_} + base64, or raw text), or null for unsigned requests
 * @param timeout      the whole call's deadline
 * @param pathTemplate the path and query as a Mustache template rendered per event
 *                     ({@code /orders/{{event.entity_id}}}), or null for a fixed URL. The host is never templated:
 *                     it is checked against {@code actions.allowed_hosts} at the start
 * @param body         the body's shape, its strings templates ({@code io.pgobserver.templates.JsonTemplate}), or null
 *                     for the event's JSON ({@code EventBody}). Only for a method that sends a body
 * @param form         whether the body is sent as an HTML form ({@code application/x-www-form-urlencoded}), as
 *                     APIs such as Twilio's take it, instead of as JSON: {@code body} is then a mapping of field names
 *                     to values
 */
record WebhookAction(URI url, String method, Map<String, String> headers, Secret secret, Duration timeout,
                     String pathTemplate, Object body, boolean form) implements ActionSpec {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    WebhookAction {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url must be an http or https URL, such as "
                    + "https://shop.example.com/hooks, not " + Urls.redact(url));
        }
        method = method == null || method.isBlank() ? "POST" : method.trim().toUpperCase(Locale.ROOT);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, such as 10s (or leave it out for "
                    + DEFAULT_TIMEOUT.toSeconds() + "s)");
        }
        if (body != null && method.equals("GET")) {
            throw new IllegalArgumentException("body is sent with POST, PUT, PATCH or DELETE; a GET sends no body: "
                    + "remove body, or set method to one of those");
        }
        if (form) {
            if (!(body instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException("body_format: form sends the body as form fields: set body to a "
                        + "mapping of field names to values, such as { To: \"{{after.phone}}\", Body: \"Order "
                        + "{{after.id}} shipped\" }");
            }
            fields.forEach((name, value) -> {
                if (value instanceof Map<?, ?> || value instanceof List<?> list
                        && list.stream().anyMatch(v -> v instanceof Map<?, ?> || v instanceof List<?>)) {
                    throw new IllegalArgumentException("body." + name + ": a form field holds text, or a list of "
                            + "texts sent as the field repeated, not a mapping: name one value, such as "
                            + "\"{{after.id}}\", or send the body as JSON (body_format: json)");
                }
            });
        }
    }

    WebhookAction(URI url, String method, Map<String, String> headers, Secret secret, Duration timeout,
                  String pathTemplate, Object body) {
        this(url, method, headers, secret, timeout, pathTemplate, body, false);
    }

    WebhookAction(URI url, String method, Map<String, String> headers, Secret secret, Duration timeout,
                  String pathTemplate) {
        this(url, method, headers, secret, timeout, pathTemplate, null);
    }

    WebhookAction(URI url, String method, Map<String, String> headers, Secret secret, Duration timeout) {
        this(url, method, headers, secret, timeout, null);
    }

    WebhookAction(URI url, Secret secret) {
        this(url, "POST", Map.of(), secret, DEFAULT_TIMEOUT);
    }

    /** The URL as it may be shown: without credentials, and a template's path without its query. */
    String shownUrl() {
        if (pathTemplate == null) {
            return Urls.redact(url);
        }
        int query = pathTemplate.indexOf('?');
        return Urls.redact(url) + (query < 0 ? pathTemplate : pathTemplate.substring(0, query));
    }

    /** The columns the url's path and query and the body name. */
    @Override
    public Set<String> columns() {
        Set<String> columns = new TreeSet<>(Templates.columns(pathTemplate));
        columns.addAll(Templates.columns(body));
        return columns;
    }

    @Override
    public String type() {
        return "webhook";
    }

    @Override
    public String describe() {
        return "webhook " + method + " " + shownUrl();
    }

    @Override
    public String toString() {
        return describe();
    }
}
