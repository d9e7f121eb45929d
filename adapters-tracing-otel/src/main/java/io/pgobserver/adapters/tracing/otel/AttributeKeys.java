package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.common.AttributeKey;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Attribute keys by name, made once: the span tree uses a few dozen names, and an {@link AttributeKey} per
 * {@code setAttribute} call would be garbage on the hot path. The cache is bounded so that a caller building
 * key names from data cannot grow it without end; past the bound keys are made per call, as the API would.
 */
final class AttributeKeys {

    static final int MAX_CACHED = 512;

    private static final KeyCache<String> STRING = new KeyCache<>(AttributeKey::stringKey);
    private static final KeyCache<Long> LONG = new KeyCache<>(AttributeKey::longKey);
    private static final KeyCache<Double> DOUBLE = new KeyCache<>(AttributeKey::doubleKey);
    private static final KeyCache<Boolean> BOOLEAN = new KeyCache<>(AttributeKey::booleanKey);

    private AttributeKeys() {
    }

    static AttributeKey<String> string(String name) {
        return STRING.get(name);
    }

    static AttributeKey<Long> longKey(String name) {
        return LONG.get(name);
    }

    static AttributeKey<Double> doubleKey(String name) {
        return DOUBLE.get(name);
    }

    static AttributeKey<Boolean> booleanKey(String name) {
        return BOOLEAN.get(name);
    }

    private static final class KeyCache<T> {
        private final ConcurrentHashMap<String, AttributeKey<T>> keys = new ConcurrentHashMap<>();
        private final Function<String, AttributeKey<T>> factory;

        KeyCache(Function<String, AttributeKey<T>> factory) {
            this.factory = factory;
        }

        AttributeKey<T> get(String name) {
            AttributeKey<T> key = keys.get(name);
            if (key != null) {
                return key;
            }
            key = factory.apply(name);
            if (keys.size() < MAX_CACHED) {
                AttributeKey<T> raced = keys.putIfAbsent(name, key);
                return raced != null ? raced : key;
            }
            return key;
        }
    }
}
