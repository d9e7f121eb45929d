package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Attribute sets of a fixed list of string labels, made once per combination of values and found again without
 * allocating: a recording on the hot path (one per action attempt) looks its set up level by level. Bounded: past
 * {@link #MAX} combinations (100 observers all failing with five error types, or labels built from data by mistake)
 * the sets are made per call and not kept, without the lock that keeps one: every recording would wait on it. A null
 * value is {@code unknown}.
 */
final class AttributeSets {

    static final int MAX = 1_000;
    private static final String UNKNOWN = "unknown";

    private final List<AttributeKey<String>> keys;
    private final Level root = new Level();
    private int size;
    /** Set once {@link #MAX} sets are kept: read without the lock, so that a new combination then takes none. */
    private volatile boolean full;

    /** One label's values seen so far, each leading to the next label's; at the last label, the set itself. */
    private static final class Level {
        final ConcurrentHashMap<String, Level> next = new ConcurrentHashMap<>();
        volatile Attributes attributes;
    }

    @SafeVarargs
    AttributeSets(AttributeKey<String>... keys) {
        this.keys = List.of(keys);
    }

    Attributes get(String a, String b) {
        return found(step(step(root, a), b), a, b, null, null);
    }

    Attributes get(String a, String b, String c) {
        return found(step(step(step(root, a), b), c), a, b, c, null);
    }

    Attributes get(String a, String b, String c, String d) {
        return found(step(step(step(step(root, a), b), c), d), a, b, c, d);
    }

    private static Level step(Level level, String value) {
        return level == null ? null : level.next.get(value == null ? UNKNOWN : value);
    }

    private Attributes found(Level leaf, String a, String b, String c, String d) {
        Attributes attributes = leaf == null ? null : leaf.attributes;
        if (attributes != null) {
            return attributes;
        }
        String[] values = {a, b, c, d};
        return full ? build(values) : keep(values);
    }

    private Attributes build(String[] values) {
        AttributesBuilder builder = Attributes.builder();
        for (int i = 0; i < keys.size(); i++) {
            values[i] = values[i] == null ? UNKNOWN : values[i];
            builder.put(keys.get(i), values[i]);
        }
        return builder.build();
    }

    private synchronized Attributes keep(String[] values) {
        Attributes made = build(values);
        if (size >= MAX) {
            return made;
        }
        Level level = root;
        for (int i = 0; i < keys.size(); i++) {
            level = level.next.computeIfAbsent(values[i], v -> new Level());
        }
        if (level.attributes != null) {
            return level.attributes;
        }
        level.attributes = made;
        full = ++size >= MAX;
        return made;
    }
}
