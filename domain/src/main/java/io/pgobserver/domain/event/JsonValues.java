package io.pgobserver.domain.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Row images are JSON trees: maps, lists, strings, numbers, booleans and nulls. Events cross threads and
 * are read by conditions, templates and serializers, so the trees are frozen once, deeply, here.
 */
public final class JsonValues {

    private JsonValues() {
    }

    /** A deep, unmodifiable copy that keeps key order and JSON nulls; {@code null} becomes an empty map. */
    public static Map<String, Object> immutableMap(Map<String, ?> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, source.size() * 4 / 3 + 1));
        source.forEach((key, value) -> copy.put(key, freeze(value)));
        return Collections.unmodifiableMap(copy);
    }

    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(freeze(v)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
