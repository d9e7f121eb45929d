package io.pgobserver.adapters.actions;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.ActionRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The webhook body: {@code {event_id, entity_type, entity_id, kind, before, after, occurred_at,
 * observer}}. {@code kind} is the wire name, {@code occurred_at} ISO-8601 UTC, and an absent row image
 * ({@code before} of a created row, {@code after} of a deleted one) is JSON {@code null}, as Debezium and Hasura
 * send it. Decimals are written as they are, never in exponent notation.
 */
final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private EventJson() {
    }

    static byte[] write(ActionRequest request) {
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
        return bytes(body);
    }

    /** Any JSON-shaped map as UTF-8 bytes. */
    static byte[] bytes(Map<String, ?> json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            // Row images are JSON trees; only a value Jackson cannot write at all gets here.
            throw new IllegalStateException("cannot write the request body as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON object; null when the text is not one. */
    static Map<String, Object> readObject(String json) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = MAPPER.readValue(json, Map.class);
            return map;
        } catch (JsonProcessingException | ClassCastException e) {
            return null;
        }
    }
}
