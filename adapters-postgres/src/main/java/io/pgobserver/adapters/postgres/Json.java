package io.pgobserver.adapters.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jsonb to and from row images. Numbers become {@code Long} when integral and within range, and {@code BigDecimal}
 * otherwise, with the digits and scale PostgreSQL wrote: {@code 12.10} stays {@code 12.10}, {@code 0.0000001} keeps
 * its seven places, so bodies and templates carry the number as stored. The capture trigger's {@code to_jsonb}
 * writes every number in plain digits, a {@code double precision} too ({@code 1e15} as {@code 1000000000000000},
 * {@code 1.5e-300} in 303 characters); only a number written with an exponent, which a row image from elsewhere may
 * hold, becomes a {@code Double} when one holds it exactly.
 */
final class Json {

    /**
     * Whatever PostgreSQL stores must be readable: a {@code numeric} has up to 131,072 digits before the point and
     * 16,383 after, and a jsonb string may be far longer than Jackson's default 20 M characters. Nesting keeps
     * Jackson's default depth (1,000): binding and writing recurse, and much deeper documents would overflow the
     * stack. Deeper rows are dead-lettered by the listener instead (see {@code PostgresChangeSource}).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(131_072 + 16_383 + 2)
                            .maxStringLength(Integer.MAX_VALUE)
                            .build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // Jackson's tree strips 12.10 to 12.1 (and 0.0 to 0) by default: keep the scale PostgreSQL wrote.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private Json() {
    }

    /** A jsonb object as a map; SQL null and JSON null become an empty map, a non-object is an error. */
    static Map<String, Object> readObject(String json) {
        if (json == null) {
            return Map.of();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("change_log holds malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalStateException("a row image must be a JSON object, was " + node.getNodeType());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) toJava(node);
        return map;
    }

    /** A row image as JSON text, or null for an empty one (stored as SQL null). */
    static String write(Map<String, Object> map) {
        if (map == null || map.isEmpty()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("row image cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object toJava(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    map.put(field.getKey(), toJava(field.getValue()));
                }
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                node.forEach(element -> list.add(toJava(element)));
                yield list;
            }
            case STRING -> node.textValue();
            case BOOLEAN -> node.booleanValue();
            case NUMBER -> number(node);
            default -> null;
        };
    }

    private static Object number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? node.longValue() : new BigDecimal(node.bigIntegerValue());
        }
        BigDecimal exact = node.decimalValue();
        if (exact.scale() >= 0) {
            return exact;
        }
        double approx = exact.doubleValue();
        if (Double.isFinite(approx) && new BigDecimal(Double.toString(approx)).compareTo(exact) == 0) {
            return approx;
        }
        return exact;
    }
}
