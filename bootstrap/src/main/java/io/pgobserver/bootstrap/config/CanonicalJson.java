package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.TreeSet;

/** A configuration value rendered so that the same settings always give the same text (an action's stable key). */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String of(JsonNode value) {
        StringBuilder out = new StringBuilder();
        append(value, out);
        return out.toString();
    }

    /** JSON with every mapping's keys sorted; scalars as text. */
    private static void append(JsonNode value, StringBuilder out) {
        if (value == null || value.isNull()) {
            out.append("null");
        } else if (value.isObject()) {
            out.append('{');
            TreeSet<String> names = new TreeSet<>();
            value.fieldNames().forEachRemaining(names::add);
            boolean first = true;
            for (String name : names) {
                out.append(first ? "" : ",").append(TextNode.valueOf(name)).append(':');
                append(value.get(name), out);
                first = false;
            }
            out.append('}');
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                out.append(i == 0 ? "" : ",");
                append(value.get(i), out);
            }
            out.append(']');
        } else {
            // Scalars as text: 5 and "5" configure the same thing.
            out.append(TextNode.valueOf(value.asText()));
        }
    }
}
