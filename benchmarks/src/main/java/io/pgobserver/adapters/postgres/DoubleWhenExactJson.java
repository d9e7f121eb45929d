package io.pgobserver.adapters.postgres;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline for {@link RowImageBenchmark}: {@link Json}'s read as it was before it kept the digits PostgreSQL
 * wrote (a decimal a double holds exactly became that double, trailing zeros stripped), kept here so that both
 * rules are measured side by side in one run.
 */
final class DoubleWhenExactJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(131_072 + 16_383 + 2).maxStringLength(Integer.MAX_VALUE).build())
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private DoubleWhenExactJson() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readObject(String json) throws Exception {
        return (Map<String, Object>) toJava(MAPPER.readTree(json));
    }

    private static Object toJava(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                node.properties().forEach(field -> map.put(field.getKey(), toJava(field.getValue())));
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
        double approx = exact.doubleValue();
        if (Double.isFinite(approx) && new BigDecimal(Double.toString(approx)).compareTo(exact) == 0) {
            return approx;
        }
        return exact;
    }
}
