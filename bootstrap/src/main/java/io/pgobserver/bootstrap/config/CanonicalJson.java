package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/** A configuration value rendered so that the same settings always give the same text (an action's stable key). */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String of(JsonNode value) {
        return of(value, Set.of(), UnaryOperator.identity());
    }

    /**
     * As {@link #of(JsonNode)}, without the mapping's keys {@code leftOut} (its own, not those of mappings inside
     * it) and with each scalar's text passed through {@code text}: an action's settings but its secrets.
     */
    static String of(JsonNode value, Set<String> leftOut, UnaryOperator<String> text) {
        StringBuilder out = new StringBuilder();
        append(value, leftOut, text, out);
        return out.toString();
    }

    /** JSON with every mapping's keys sorted; scalars as text. */
    private static void append(JsonNode value, Set<String> leftOut, UnaryOperator<String> text, StringBuilder out) {
        if (value == null || value.isNull()) {
            out.append("null");
        } else if (value.isObject()) {
            out.append('{');
            TreeSet<String> names = new TreeSet<>();
            value.fieldNames().forEachRemaining(names::add);
            names.removeAll(leftOut);
            boolean first = true;
            for (String name : names) {
                out.append(first ? "" : ",").append(TextNode.valueOf(name)).append(':');
                append(value.get(name), Set.of(), text, out);
                first = false;
            }
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                out.append(i == 0 ? "" : ",");
                append(value.get(i), Set.of(), text, out);
            }
            out.append(']');
        } else {
            // Scalars as text: 5 and "5" configure the same thing.
            out.append(TextNode.valueOf(text.apply(value.asText())));
        }
    }
}
