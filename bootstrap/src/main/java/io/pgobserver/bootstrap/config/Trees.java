package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small edits of the configuration tree: set a dotted path, rewrite every string. */
final class Trees {

    /** {@code actions[0]}: a key and the item of its list, counted from 0, as Helm's {@code --set} writes it. */
    private static final Pattern ITEM = Pattern.compile("(.+)\\[(\\d{1,6})]");

    private Trees() {
    }

    /** Applies one {@code --set key.path=value} flag ({@link #set(ObjectNode, String, String)}). */
    static void setFlag(ObjectNode root, String flag) {
        int eq = flag.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("--set '" + flag + "' must be key.path=value, e.g. --set tracing.exporter=zipkin");
        }
        set(root, flag.substring(0, eq).trim(), flag.substring(eq + 1));
    }

    /**
     * Sets {@code a.b.c} to a string, creating mappings on the way. {@code \.} is a dot inside a key, as in Helm's
     * {@code --set}: {@code kafka.properties.linger\.ms=5} sets the producer setting {@code linger.ms}; and
     * {@code key[N]} is item N of a list the file has: {@code observers.o.actions[0].url=...}.
     */
    static void set(ObjectNode root, String path, String value) {
        List<String> keys = keys(path);
        ObjectNode parent = mapping(root, keys.subList(0, keys.size() - 1), path);
        Matcher item = ITEM.matcher(keys.getLast());
        if (item.matches()) {
            int index = Integer.parseInt(item.group(2));
            list(parent, item.group(1), index, path).set(index, TextNode.valueOf(value));
        } else {
            parent.put(keys.getLast(), value);
        }
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
        mapping(root, keys(mapPath), mapPath).put(key, value);
    }

    /**
     * The mapping at a path of keys, created (or replacing a scalar) where missing. A list is entered only by its
     * item ({@code actions[0]}): replacing it by a mapping would lose every item the file lists.
     */
    private static ObjectNode mapping(ObjectNode root, List<String> keys, String path) {
        ObjectNode node = root;
        StringBuilder at = new StringBuilder();
        for (String part : keys) {
            Matcher item = ITEM.matcher(part);
            String key = item.matches() ? item.group(1) : part;
            at.append(at.isEmpty() ? "" : ".").append(key);
            if (item.matches()) {
                int index = Integer.parseInt(item.group(2));
                JsonNode next = list(node, key, index, path).get(index);
                if (!(next instanceof ObjectNode object)) {
                    throw new ConfigException("--set " + path + ": " + at + "[" + index + "] is a single value, "
                            + "not a mapping of settings: end the path there");
                }
                node = object;
            } else if (node.get(key) instanceof ArrayNode) {
                throw new ConfigException("--set " + path + ": " + at + " is a list: name its item, counted from 0, "
                        + "such as " + at + "[0]");
            } else {
                node = node.get(key) instanceof ObjectNode object ? object : node.putObject(key);
            }
        }
        return node;
    }

    /** The list at {@code key} with an item {@code index}: --set changes the items the file lists, it adds none. */
    private static ArrayNode list(ObjectNode node, String key, int index, String path) {
        if (!(node.get(key) instanceof ArrayNode list)) {
            throw new ConfigException("--set " + path + ": the configuration has no list " + key + " there to take "
                    + "item [" + index + "] of: write the list in the file, or set " + key + " without [" + index + "]");
        }
        if (index >= list.size()) {
            throw new ConfigException("--set " + path + ": " + key + " lists " + list.size() + " item(s), [0] to ["
                    + (list.size() - 1) + "]: --set changes an item the file lists, and adds none");
        }
        return list;
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

    /**
     * A value of the tree as plain Java (maps in file order, lists, text, {@code Long} or {@code BigDecimal},
     * booleans, null), unmodifiable: YAML's scalars as JSON's, a number with the digits it was read with.
     */
    static Object plain(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        if (value.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue())));
            return Collections.unmodifiableMap(map);
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(item -> list.add(plain(item)));
            return Collections.unmodifiableList(list);
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? (Object) value.longValue() : new BigDecimal(value.bigIntegerValue());
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        return value.asText();
    }
}
