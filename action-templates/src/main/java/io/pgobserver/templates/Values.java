package io.pgobserver.templates;

import java.util.List;
import java.util.Map;

/** A tag's value in a template's context, found as Mustache finds it: maps by key, lists by index. */
final class Values {

    private Values() {
    }

    /**
     * The value at a dotted name ({@code after.total}, {@code after.tags.0}), or null when the context lacks it.
     */
    static Object at(Map<String, Object> context, String name) {
        Object current = context;
        for (String segment : name.split("\\.", -1)) {
            current = switch (current) {
                case Map<?, ?> map -> map.get(segment);
                case List<?> list when isIndex(segment) && Integer.parseInt(segment) < list.size() ->
                        list.get(Integer.parseInt(segment));
                case null, default -> null;
            };
        }
        return current;
    }

    private static boolean isIndex(String segment) {
        return !segment.isEmpty() && segment.length() < 10 && segment.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
