package io.pgobserver.adapters.conditions.cel;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A row image as CEL reads it: each value is converted ({@link CelActivation#value}) when the condition reads it,
 * so a row holding decimals or nulls is not copied for every condition that reads one or two of its columns.
 */
final class CelRow extends AbstractMap<String, Object> {

    private final Map<String, ?> row;

    CelRow(Map<String, ?> row) {
        this.row = row;
    }

    @Override
    public Object get(Object key) {
        Object value = row.get(key);
        // A column holding JSON null is CEL's null; a column the row lacks stays absent.
        return value == null && !row.containsKey(key) ? null : CelActivation.value(value);
    }

    @Override
    public boolean containsKey(Object key) {
        return row.containsKey(key);
    }

    @Override
    public int size() {
        return row.size();
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                Iterator<? extends Entry<String, ?>> entries = row.entrySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return entries.hasNext();
                    }

                    @Override
                    public Entry<String, Object> next() {
                        Entry<String, ?> entry = entries.next();
                        return new SimpleImmutableEntry<>(entry.getKey(), CelActivation.value(entry.getValue()));
                    }
                };
            }

            @Override
            public int size() {
                return row.size();
            }
        };
    }
}
