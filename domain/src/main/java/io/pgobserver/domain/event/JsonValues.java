package io.pgobserver.domain.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Row images are JSON trees: maps, lists, strings, numbers, booleans and nulls. Events cross threads and
 * are read by conditions, templates and serializers, so the trees are frozen once, deeply, here. Freezing also
 * estimates what the tree holds in memory ({@link #approximateBytes}), on the walk it makes anyway: the pipeline
 * bounds the row images it holds by that estimate, and must not walk every image again to learn it.
 */
public final class JsonValues {

    // What the frozen tree's parts take on a 64-bit JVM with compressed references (heaps below 32 GiB), measured
    // against the heap: a map (with its table's header, its unmodifiable wrapper, and the entry-set views that
    // serializing it leaves cached), each entry, a list, a string's two headers, a boxed number. Keys count nothing:
    // JSON parsers intern field names, so one row's keys are the next row's.
    private static final int MAP = 56 + 16 + 24 + 40;
    private static final int ENTRY = 40 + 4;
    private static final int LIST = 24 + 16 + 24;
    private static final int STRING = 24 + 16;
    private static final int NUMBER = 16;
    private static final int BIG_NUMBER = 48;
    // A BigInteger's object, and its int[] magnitude's header: what a number past a long's range holds besides its
    // digits (a BigDecimal keeps one within range in a long).
    private static final int BIG_INTEGER = 40 + 16;

    private JsonValues() {
    }

    /**
     * A deep, unmodifiable copy that keeps key order and JSON nulls; {@code null} becomes an empty map. A map that
     * this method returned is returned as it is: it is frozen already.
     */
    public static Map<String, Object> immutableMap(Map<String, ?> source) {
        if (source == null || source.isEmpty()) {
            return Map.of();
        }
        if (source instanceof Frozen frozen) {
            return frozen;
        }
        Freezer freezer = new Freezer();
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, source.size() * 4 / 3 + 1));
        source.forEach((key, value) -> copy.put(key, freezer.freeze(value)));
        long bytes = freezer.bytes + MAP + table(copy.size(), Math.max(4, source.size() * 4 / 3 + 1))
                + (long) ENTRY * copy.size();
        return new Frozen(Collections.unmodifiableMap(copy), bytes);
    }

    /**
     * About how many bytes of heap the tree takes: exact to a few percent for trees {@link #immutableMap} froze (and
     * known at once: counted while freezing), counted by walking it for any other map. Strings count one byte a
     * character (Latin-1; text in other scripts takes twice that).
     */
    public static long approximateBytes(Map<String, ?> image) {
        // Any other map is frozen to count it, and the copy dropped: the pipeline holds none (events freeze theirs).
        return immutableMap(image) instanceof Frozen frozen ? frozen.bytes : 0;
    }

    /** A LinkedHashMap's table: the power of two that holds {@code size} entries at load 0.75, from {@code initial}. */
    private static long table(int size, int initial) {
        int capacity = Integer.highestOneBit(Math.max(1, initial - 1)) << 1;
        while (size > capacity * 3L / 4) {
            capacity <<= 1;
        }
        return 4L * capacity;
    }

    /** Freezes values and adds up what the copies take. */
    private static final class Freezer {
        long bytes;

        Object freeze(Object value) {
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(String.valueOf(k), freeze(v)));
                bytes += MAP + table(copy.size(), 16) + (long) ENTRY * copy.size();
                return Collections.unmodifiableMap(copy);
            }
            if (value instanceof List<?> list) {
                List<Object> copy = new ArrayList<>(list.size());
                list.forEach(v -> copy.add(freeze(v)));
                bytes += LIST + 4L * copy.size();
                return Collections.unmodifiableList(copy);
            }
            if (value instanceof String text) {
                bytes += STRING + text.length();
            } else if (value instanceof Long || value instanceof Integer || value instanceof Double
                    || value instanceof Float || value instanceof Short || value instanceof Byte) {
                bytes += NUMBER;
            } else if (value instanceof BigDecimal decimal) {
                // precision() first: unscaledValue() makes a BigInteger of a number kept in a long, for every numeric
                // of every event, where the digits of one past a long's range are there to be counted.
                bytes += BIG_NUMBER + (decimal.precision() < 19 ? 0 : magnitude(decimal.unscaledValue()));
            } else if (value instanceof BigInteger integer) {
                bytes += BIG_NUMBER + magnitude(integer);
            } else if (value instanceof Number) {
                bytes += BIG_NUMBER;
            }
            return value; // booleans and nulls are shared
        }

        /**
         * What a number's digits take past a long's range: a numeric may have 131,072 digits before the point,
         * 54 KB of magnitude, which a fixed size per number would count as 48 bytes.
         */
        private static long magnitude(BigInteger unscaled) {
            int bits = unscaled.bitLength();
            if (bits < Long.SIZE) {
                return 0;
            }
            long ints = bits / Integer.SIZE + 1; // a negative value's bitLength may be one short of its magnitude's
            return BIG_INTEGER + (Integer.BYTES * ints + 7) / 8 * 8;
        }
    }

    /**
     * A frozen row image: an unmodifiable map in key order, carrying what it takes in memory. It behaves exactly as
     * the unmodifiable map it wraps.
     */
    private static final class Frozen extends AbstractMap<String, Object> {
        private final Map<String, Object> map;
        private final long bytes;

        Frozen(Map<String, Object> map, long bytes) {
            this.map = map;
            this.bytes = bytes;
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public boolean containsValue(Object value) {
            return map.containsValue(value);
        }

        @Override
        public Object get(Object key) {
            return map.get(key);
        }

        @Override
        public Object getOrDefault(Object key, Object defaultValue) {
            return map.getOrDefault(key, defaultValue);
        }

        @Override
        public Set<String> keySet() {
            return map.keySet();
        }

        @Override
        public Collection<Object> values() {
            return map.values();
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return map.entrySet();
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            map.forEach(action);
        }

        // Every change fails, as on the unmodifiable map, even one that would change nothing.
        @Override
        public Object put(String key, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object remove(Object key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAll(Map<? extends String, ?> m) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void clear() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object putIfAbsent(String key, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean remove(Object key, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean replace(String key, Object oldValue, Object newValue) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object replace(String key, Object value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replaceAll(BiFunction<? super String, ? super Object, ?> function) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object computeIfAbsent(String key, Function<? super String, ?> mapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object computeIfPresent(String key, BiFunction<? super String, ? super Object, ?> remapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object compute(String key, BiFunction<? super String, ? super Object, ?> remapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object merge(String key, Object value, BiFunction<? super Object, ? super Object, ?> remapping) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean equals(Object o) {
            return o == this || map.equals(o);
        }

        @Override
        public int hashCode() {
            return map.hashCode();
        }

        @Override
        public String toString() {
            return map.toString();
        }
    }
}
