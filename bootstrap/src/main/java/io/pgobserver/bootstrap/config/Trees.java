package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Small edits of the configuration tree: set a dotted path, rewrite every string. */
final class Trees {

    private Trees() {
    }

    /**
     * Sets {@code a.b.c} to a string, creating mappings on the way. {@code \.} is a dot inside a key, as in Helm's
     * {@code --set}: {@code kafka.properties.linger\.ms=5} sets the producer setting {@code linger.ms}.
     */
    static void set(ObjectNode root, String path, String value) {
        List<String> keys = keys(path);
        mapping(root, keys.subList(0, keys.size() - 1)).put(keys.getLast(), value);
    }

    private static List<String> keys(String path) {
        List<String> keys = new ArrayList<>();
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\' && i + 1 < path.length() && path.charAt(i + 1) == '.') {
                key.append('.');
                i++;
            } else if (c == '.') {
                keys.add(key.toString());
                key.setLength(0);
            } else {
                key.append(c);
            }
        }
        keys.add(key.toString());
        return keys;
    }

    /** Sets {@code mapPath[key]}: for keys that may hold dots, such as resource attribute names. */
    static void set(ObjectNode root, String mapPath, String key, String value) {
        mapping(root, keys(mapPath)).put(key, value);
    }

    /** The mapping at a path of keys, created (or replacing a scalar) where missing. */
    private static ObjectNode mapping(ObjectNode root, List<String> keys) {
        ObjectNode node = root;
        for (String part : keys) {
            JsonNode next = node.get(part);
            node = next instanceof ObjectNode object ? object : node.putObject(part);
        }
        return node;
    }

    /** Rewrites every string scalar; {@code path} is handed to the function's errors through the rewriter. */
    static void rewriteStrings(JsonNode node, String path, Rewriter rewriter) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String childPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                if (e.getValue().isTextual()) {
                    e.setValue(TextNode.valueOf(rewriter.rewrite(childPath, e.getValue().asText())));
                } else {
                    rewriteStrings(e.getValue(), childPath, rewriter);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String childPath = path + "[" + i + "]";
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(rewriter.rewrite(childPath, array.get(i).asText())));
                } else {
                    rewriteStrings(array.get(i), childPath, rewriter);
                }
            }
        }
    }

    @FunctionalInterface
    interface Rewriter {
        String rewrite(String path, String value);
    }

}
