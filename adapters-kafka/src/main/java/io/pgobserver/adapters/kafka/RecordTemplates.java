package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.templates.JsonTemplate;
import io.pgobserver.templates.Templates;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Kafka action's templates, compiled once at the start, and the record they make for one event.
 *
 * @param topic   the topic
 * @param key     the record key, or null for the entity id
 * @param headers the configured headers, by name
 * @param value   the record value's shape, or null for the event's JSON
 */
record RecordTemplates(Templates.Template topic, Templates.Template key, Map<String, Templates.Template> headers,
                       JsonTemplate value) {

    /**
     * Each template named by the action, as the Slack and email templates are: "kafka audit: key template" tells which
     * of an observer's Kafka actions a render failure at run time (a dead letter's message) comes from.
     *
     * @throws IllegalArgumentException naming the template when one does not compile
     */
    static RecordTemplates of(KafkaAction action) {
        String what = action.describe();
        Map<String, Templates.Template> headers = new LinkedHashMap<>();
        action.headers().forEach((name, value) -> headers.put(name,
                Templates.text(what + ": header '" + name + "'", value == null ? "" : value)));
        return new RecordTemplates(Templates.text(what + ": topic template", action.topic()),
                action.key() == null ? null : Templates.text(what + ": key template", action.key()), headers,
                action.value() == null ? null : Templates.json(what + ": value", action.value()));
    }

    /**
     * The event's record for {@code topic} (rendered and checked by the caller): its key, the configured headers and
     * {@value KafkaAction#DELIVERY_ID_HEADER}, and its value.
     *
     * @throws Templates.TemplateException naming the template that failed on this event
     */
    ProducerRecord<byte[], byte[]> record(String topic, ActionRequest request, Map<String, Object> context)
            throws Templates.TemplateException {
        String rendered = key == null ? request.event().entityId() : key.render(context);
        RecordHeaders recordHeaders = new RecordHeaders();
        for (Map.Entry<String, Templates.Template> header : headers.entrySet()) {
            recordHeaders.add(header.getKey(), utf8(header.getValue().render(context)));
        }
        recordHeaders.add(KafkaAction.DELIVERY_ID_HEADER, utf8(request.deliveryId()));
        return new ProducerRecord<>(topic, null, utf8(rendered), value(request, context), recordHeaders);
    }

    /**
     * The event's JSON, or the configured value rendered for it. A value that renders to null is a tombstone, a record
     * without a value: a compacted topic keyed by the row then forgets a deleted row, as Debezium's tombstones make it.
     */
    private byte[] value(ActionRequest request, Map<String, Object> context) throws Templates.TemplateException {
        if (value == null) {
            return EventBody.json(request);
        }
        Object rendered = value.render(context);
        return rendered == null ? null : EventBody.write(rendered);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
