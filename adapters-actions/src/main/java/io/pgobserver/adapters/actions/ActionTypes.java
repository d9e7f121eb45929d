package io.pgobserver.adapters.actions;

import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.ConfigReader;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The action types this adapter registers: {@code webhook} and {@code slack}, each reading its own
 * keys of an observer's action. Values that {@code check-config} must not show ({@link Secret}s, URLs) are handed
 * back as they are: the core masks secrets and redacts URLs when it prints.
 */
final class ActionTypes {

    private ActionTypes() {
    }

    static List<ActionType<?>> all() {
        return List.of(new Webhook(), new Slack());
    }

    static final class Webhook implements ActionType<WebhookAction> {
        private static final Pattern LONE_TAG = Pattern.compile("\\{\\{\\s*[\\w.]+\\s*}}");

        @Override
        public String name() {
            return "webhook";
        }

        @Override
        public Class<WebhookAction> specType() {
            return WebhookAction.class;
        }

        @Override
        public WebhookAction read(ConfigReader a) {
            String url = a.requiredString("url", "an http(s) URL").trim();
            int tag = url.indexOf("{{");
            // A template's path and query, the text from the first '/' or '?' after the host on.
            int scheme = url.indexOf("://");
            int path = tag < 0 || scheme < 0 ? -1 : indexOfAny(url, "/?", scheme + 3);
            if (tag >= 0 && (path < 0 || tag < path)) {
                throw new IllegalArgumentException(a.key("url") + ": a template tag ({{...}}) may stand only in the "
                        + "path or the query, after the host, such as https://api.example.com/orders/"
                        + "{{event.entity_id}}: the host is where the request goes, checked against "
                        + "actions.allowed_hosts at the start");
            }
            return new WebhookAction(uri(a, "url", tag < 0 ? url : url.substring(0, path)), a.string("method",
                    "POST"), a.stringMap("headers"), Secret.ofNullable(a.string("secret", null)),
                    a.duration("timeout", WebhookAction.DEFAULT_TIMEOUT, ActionsSection.MIN_TIMEOUT,
                            ActionsSection.MAX_TIMEOUT, "e.g. 10s"), tag < 0 ? null : url.substring(path),
                    a.tree("body"), bodyFormat(a));
        }

        /** {@code body_format}: {@code json} (the default) or {@code form}. */
        private static boolean bodyFormat(ConfigReader a) {
            String format = a.string("body_format", "json").trim().toLowerCase(Locale.ROOT);
            return switch (format) {
                case "json" -> false;
                case "form" -> true;
                default -> throw new IllegalArgumentException(a.key("body_format") + " must be json (the default) or "
                        + "form (application/x-www-form-urlencoded), was '" + format + "'");
            };
        }

        private static int indexOfAny(String text, String characters, int from) {
            for (int i = from; i < text.length(); i++) {
                if (characters.indexOf(text.charAt(i)) >= 0) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public Map<String, Object> render(WebhookAction w) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("url", w.pathTemplate() == null ? w.url() : w.shownUrl());
            out.put("method", w.method());
            Map<String, String> headers = new TreeMap<>();
            // Header values are often API keys.
            w.headers().forEach((k, v) -> headers.put(k, Secret.MASK));
            out.put("headers", headers);
            out.put("secret", w.secret());
            out.put("timeout", w.timeout());
            if (w.body() != null) {
                out.put("body", maskedBody(w.body()));
                out.put("body_format", w.form() ? "form" : "json");
            }
            return out;
        }

        /**
         * The body's shape with every text masked but a lone tag ({@code {{after.id}}}): a body may carry an API key,
         * as PagerDuty's {@code routing_key} does, while its tags say which of the row's values are sent where.
         */
        private static Object maskedBody(Object body) {
            return switch (body) {
                case null -> null;
                case Map<?, ?> map -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    map.forEach((k, v) -> out.put(String.valueOf(k), maskedBody(v)));
                    yield out;
                }
                case List<?> list -> list.stream().map(Webhook::maskedBody).toList();
                case String text when LONE_TAG.matcher(text).matches() -> text;
                case String text -> Secret.MASK;
                default -> body;
            };
        }

        /**
         * The signing secret, the headers (their values are often API keys, rotated as secrets are) and the body (it
         * may carry one; and a body reshaped is the same delivery to the receiver, under the same webhook-id).
         */
        @Override
        public Set<String> secretKeys() {
            return Set.of("secret", "headers", "body");
        }
    }

    static final class Slack implements ActionType<SlackAction> {
        @Override
        public String name() {
            return "slack";
        }

        @Override
        public Class<SlackAction> specType() {
            return SlackAction.class;
        }

        @Override
        public SlackAction read(ConfigReader a) {
            return new SlackAction(uri(a, "webhook_url", false), Secret.ofNullable(a.string("token", null)),
                    uri(a, "api_url", false), a.string("channel", null), a.string("text", null),
                    a.string("thread_ts", null));
        }

        @Override
        public Map<String, Object> render(SlackAction s) {
            Map<String, Object> out = new LinkedHashMap<>();
            // A Slack incoming-webhook URL is itself the credential.
            out.put("webhook_url", s.webhookUrl() == null ? null : Secret.MASK);
            out.put("token", s.token());
            out.put("api_url", s.apiUrl());
            out.put("channel", s.channel());
            out.put("text", s.text());
            out.put("thread_ts", s.threadTs());
            return out;
        }

        /**
         * The bot token. An incoming-webhook URL, a credential too, stays in the key: it is also where the message
         * goes (one per channel), and Slack replaces it with a new one rather than rotating it.
         */
        @Override
        public Set<String> secretKeys() {
            return Set.of("token");
        }
    }

    private static URI uri(ConfigReader node, String name, boolean required) {
        String value = required ? node.requiredString(name, "an http(s) URL") : node.string(name, null);
        return value == null || value.isBlank() ? null : uri(node, name, value);
    }

    private static URI uri(ConfigReader node, String name, String value) {
        try {
            URI uri = new URI(value.trim());
            if (uri.getHost() == null) {
                // "localhost:8080/hook" parses with "localhost" as its scheme: say the scheme is what is missing.
                String what = value.contains("://") ? "has no host" : "has no http:// or https:// in front";
                throw new IllegalArgumentException(node.key(name) + " " + what + ": write an absolute URL such as "
                        + "https://hooks.example.com/orders");
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                // Told here, by its key, rather than by the action's record after the fact.
                throw new IllegalArgumentException(node.key(name) + " uses " + scheme + "://: webhook and Slack "
                        + "requests are sent over http:// or https://; write an absolute URL such as "
                        + "https://hooks.example.com/orders");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The URL may carry credentials: name the key, not the value.
            throw new IllegalArgumentException(node.key(name) + " is not a valid URL (" + e.getReason() + ")");
        }
    }
}
