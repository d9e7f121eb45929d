package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The event as JSON, the one schema every action that carries the whole event sends (the webhook's body, the
 * Kafka record's value): {@code {event_id, entity_type, entity_id, kind, before, after, occurred_at, observer}}.
 * {@code kind} is the wire name, {@code occurred_at} ISO-8601 UTC, and an absent row image ({@code before} of a
 * created row, {@code after} of a deleted one) is JSON {@code null}, as Debezium and Hasura send it.
 *
 * <p>It lives beside the port, in plain JDK code, because adapters may not depend on each other and the domain
 * may not depend on Jackson. Row images are JSON trees ({@link io.pgobserver.domain.event.JsonValues}), so a
 * writer for maps, lists, strings, numbers, booleans and nulls is the whole job. The output is byte for byte what
 * Jackson writes for the same tree with {@code WRITE_BIGDECIMAL_AS_PLAIN} ({@code EventBodyDifferentialTest}):
 * decimals as they are, never in exponent notation.
 */
public final class EventBody {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private EventBody() {
    }

    /** The body for one action request, as UTF-8 JSON. */
    public static byte[] json(ActionRequest request) {
        return write(tree(request));
    }

    /** The body as a JSON tree, in field order. */
    static Map<String, Object> tree(ActionRequest request) {
        ChangeEvent event = request.event();
        Map<String, Object> body = new LinkedHashMap<>(12);
        body.put("event_id", event.id());
        body.put("entity_type", event.entityType());
        body.put("entity_id", event.entityId());
        body.put("kind", event.kind().wireName());
        body.put("before", event.before().isEmpty() ? null : event.before());
        body.put("after", event.after().isEmpty() ? null : event.after());
        body.put("occurred_at", event.occurredAt().toString());
        body.put("observer", request.observer());
        return body;
    }

    /** Any JSON tree (maps, lists, strings, numbers, booleans, nulls) as JSON text: a row image for people. */
    public static String text(Object tree) {
        return new String(write(tree), StandardCharsets.UTF_8);
    }

    /**
     * Any JSON tree as UTF-8 JSON, written as the event is: a configured body or record value
     * ({@code io.pgobserver.templates.JsonTemplate}) carries a row's numbers with the same digits.
     */
    public static byte[] write(Object tree) {
        StringBuilder out = new StringBuilder(256);
        value(out, tree);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b.booleanValue());
            case BigDecimal d -> out.append(d.toPlainString());
            case Double d when !Double.isFinite(d) -> string(out, d.toString());
            case Float f when !Float.isFinite(f) -> string(out, f.toString());
            case Number n -> out.append(n);
            case Map<?, ?> map -> object(out, map);
            case Collection<?> list -> array(out, list);
            default -> string(out, value.toString());
        }
    }

    private static void object(StringBuilder out, Map<?, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, String.valueOf(entry.getKey()));
            out.append(':');
            value(out, entry.getValue());
        }
        out.append('}');
    }

    private static void array(StringBuilder out, Collection<?> list) {
        out.append('[');
        boolean first = true;
        for (Object element : list) {
            if (!first) {
                out.append(',');
            }
            first = false;
            value(out, element);
        }
        out.append(']');
    }

    /** RFC 8259 escaping as Jackson does it: quote, backslash, control characters and surrogates; the rest as is. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || Character.isSurrogate(c)) {
                        // Characters outside the Basic Multilingual Plane go as their two escaped surrogates, as
                        // Jackson's UTF-8 writer sends them; an unpaired one stays valid JSON.
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
