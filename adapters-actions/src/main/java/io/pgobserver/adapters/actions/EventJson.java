package io.pgobserver.adapters.actions;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.Map;

/**
 * JSON for Slack's API: the message sent and the answer read. The webhook's body is the domain's
 * {@link io.pgobserver.domain.port.EventBody}, the one schema every action that carries the event sends. Decimals
 * are written as they are, never in exponent notation.
 */
final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private EventJson() {
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
