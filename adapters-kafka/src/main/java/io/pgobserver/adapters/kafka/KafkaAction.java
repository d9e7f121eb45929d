package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.templates.Templates;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code { type: kafka, topic: "orders.{{event.kind}}", key: "{{after.customer_id}}", headers: {...} }}: the event
 * JSON (the webhook's body), or the configured {@code value}, as one record.
 *
 * @param topic   the topic, a template
 * @param key     the record key, a template; null: the entity id, so one row's changes share a partition
 * @param headers extra record headers, values are templates
 * @param value   the record value's shape, its strings templates ({@code io.pgobserver.templates.JsonTemplate}), or
 *                null for the event's JSON. One that renders to null ({@code "{{after}}"} of a deleted row) is sent
 *                as a tombstone
 */
record KafkaAction(String topic, String key, Map<String, String> headers, Object value) implements ActionSpec {

    /** Headers pg-observer sets itself: the trace context and the delivery id consumers de-duplicate by. */
    static final String DELIVERY_ID_HEADER = "pgobserver-delivery-id";
    static final java.util.Set<String> RESERVED_HEADERS = java.util.Set.of("traceparent", "tracestate",
            DELIVERY_ID_HEADER);

    KafkaAction {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("kafka action: topic must be set (a topic name, or a template such "
                    + "as \"orders.{{event.kind}}\")");
        }
        topic = topic.trim();
        key = key == null || key.isBlank() ? null : key;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        for (String name : headers.keySet()) {
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("kafka action header '" + name
                        + "' is set by pg-observer itself; remove it from headers");
            }
        }
    }

    KafkaAction(String topic, String key, Map<String, String> headers) {
        this(topic, key, headers, null);
    }

    /** The columns the topic, key, headers and value name. */
    @Override
    public Set<String> columns() {
        Set<String> columns = new TreeSet<>(Templates.columns(topic));
        columns.addAll(Templates.columns(key));
        headers.values().forEach(header -> columns.addAll(Templates.columns(header)));
        columns.addAll(Templates.columns(value));
        return columns;
    }

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public String describe() {
        return "kafka " + topic;
    }

    @Override
    public String toString() {
        return describe();
    }
}
