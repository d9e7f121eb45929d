package io.pgobserver.adapters.conditions.cel;

import dev.cel.common.values.NullValue;
import io.pgobserver.domain.event.ChangeEvent;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The variables a condition sees, in the value types CEL works on: JSON integers become {@code long}
 * (an integral {@link BigDecimal} or {@link BigInteger} too, while it fits), other numbers {@code double},
 * JSON null CEL's {@code null}, anything else its text. Trees already in those types are used as they are.
 */
final class CelActivation {

    static final String EVENT = "event";
    static final String BEFORE = "before";
    static final String AFTER = "after";

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private CelActivation() {
    }

    static Map<String, Object> of(ChangeEvent event) {
        return Map.of(EVENT, event.fields(), BEFORE, map(event.before()), AFTER, map(event.after()));
    }

    static Object value(Object value) {
        return switch (value) {
            case null -> NullValue.NULL_VALUE;
            case String s -> s;
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Float f -> f.doubleValue();
            case BigInteger big -> integral(big, big.doubleValue());
            case BigDecimal dec -> dec.scale() <= 0 ? integral(dec.toBigInteger(), dec.doubleValue()) : dec.doubleValue();
            case Number n -> n.doubleValue();
            case Map<?, ?> m -> map(m);
            case List<?> l -> list(l);
            default -> value.toString();
        };
    }

    private static Object integral(BigInteger value, double approximation) {
        return value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0 ? value.longValue() : approximation;
    }

    /**
     * The map itself when every key is text and every value already a CEL value; a {@link CelRow} that converts
     * the values a condition reads when the keys are text (a row image's decimals and nulls: copying the row for
     * every condition would cost more than the condition); else a converted copy.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<?, ?> source) {
        int unchanged = 0;
        boolean converts = false;
        for (Map.Entry<?, ?> entry : source.entrySet()) {
            if (!(entry.getKey() instanceof String)) {
                return copy(source, converts ? 0 : unchanged); // the first ones as they are when they need nothing
            }
            converts = converts || !isCelValue(entry.getValue());
            unchanged++;
        }
        return converts ? new CelRow((Map<String, ?>) source) : (Map<String, Object>) source;
    }

    /** Whether {@link #value} returns this value as it is; tells so without converting a decimal to learn it. */
    private static boolean isCelValue(Object value) {
        return value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean
                || (value instanceof Map<?, ?> || value instanceof List<?>) && value(value) == value;
    }

    private static Map<String, Object> copy(Map<?, ?> source, int unchanged) {
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, source.size() * 4 / 3 + 1));
        Iterator<? extends Map.Entry<?, ?>> entries = source.entrySet().iterator();
        for (int i = 0; i < unchanged; i++) {
            Map.Entry<?, ?> entry = entries.next();
            copy.put((String) entry.getKey(), entry.getValue());
        }
        while (entries.hasNext()) {
            Map.Entry<?, ?> entry = entries.next();
            copy.put(String.valueOf(entry.getKey()), value(entry.getValue()));
        }
        return copy;
    }

    private static List<Object> list(List<?> source) {
        List<Object> converted = null;
        for (int i = 0; i < source.size(); i++) {
            Object original = source.get(i);
            Object value = value(original);
            if (converted == null && value != original) {
                converted = new ArrayList<>(source.subList(0, i));
            }
            if (converted != null) {
                converted.add(value);
            }
        }
        @SuppressWarnings("unchecked")
        List<Object> same = (List<Object>) source;
        return converted == null ? same : converted;
    }
}
