package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader over one mapping of the configuration tree: every read names its key path in errors, and
 * {@link #finish()} rejects keys nobody read, so a typo ({@code batchsize}) stops the boot instead of being
 * silently ignored.
 */
final class Node {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

    private final String path;
    private final ObjectNode node;
    private final Set<String> read = new HashSet<>();

    Node(String path, JsonNode node) {
        this.path = path;
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new ConfigException(where() + " must be a mapping of keys to values");
        }
        this.node = node == null || node.isNull() ? null : (ObjectNode) node;
    }

    String path() {
        return path;
    }

    private String where() {
        return path.isEmpty() ? "the configuration" : path;
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private JsonNode raw(String name) {
        read.add(name);
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String name) {
        return node != null && node.hasNonNull(name);
    }

    Node child(String name) {
        return new Node(key(name), raw(name));
    }

    String string(String name, String fallback) {
        JsonNode value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new ConfigException(key(name) + " must be a single value, not a list or mapping");
        }
        return value.asText();
    }

    String requiredString(String name, String hint) {
        String value = string(name, null);
        if (value == null || value.isBlank()) {
            throw new ConfigException(key(name) + " is required: " + hint);
        }
        return value;
    }

    boolean bool(String name, boolean fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key(name) + " must be true or false, was '" + value + "'");
        };
    }

    int integer(String name, int fallback, int min, int max) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim().replace("_", ""));
            if (parsed < min || parsed > max) {
                throw new ConfigException(key(name) + " must be between " + min + " and " + max + ", was " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name) + " must be a whole number, was '" + value + "'");
        }
    }

    double decimal(String name, double fallback) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key(name) + " must be a number, was '" + value + "'");
        }
    }

    Duration duration(String name, Duration fallback) {
        String value = string(name, null);
        return value == null ? fallback : parseDuration(key(name), value);
    }

    /** {@code 500ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT1S}. */
    static Duration parseDuration(String key, String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            double amount = Double.parseDouble(m.group(1));
            double millis = switch (m.group(2)) {
                case "ms" -> amount;
                case "s" -> amount * 1_000;
                case "m" -> amount * 60_000;
                case "h" -> amount * 3_600_000;
                default -> amount * 86_400_000;
            };
            return Duration.ofNanos((long) (millis * 1_000_000));
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new ConfigException(key + " must be a duration such as 500ms, 1s, 2m or 1h, was '" + value + "'");
        }
    }

    List<String> strings(String name) {
        JsonNode value = raw(name);
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (value.isValueNode()) {
            for (String part : value.asText().split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }
        if (!value.isArray()) {
            throw new ConfigException(key(name) + " must be a list");
        }
        for (JsonNode item : value) {
            if (!item.isValueNode()) {
                throw new ConfigException(key(name) + " must be a list of values");
            }
            out.add(item.asText());
        }
        return out;
    }

    Map<String, String> stringMap(String name) {
        JsonNode value = raw(name);
        Map<String, String> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        if (!value.isObject()) {
            throw new ConfigException(key(name) + " must be a mapping of names to values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(key(name) + "." + e.getKey() + " must be a single value");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The entries of a mapping whose values are mappings (such as {@code observers}), in file order. */
    Map<String, Node> children(String name) {
        JsonNode value = raw(name);
        Map<String, Node> out = new LinkedHashMap<>();
        if (value == null) {
            return out;
        }
        if (!value.isObject()) {
            throw new ConfigException(key(name) + " must be a mapping of names to settings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), new Node(key(name) + "." + e.getKey(), e.getValue()));
        }
        return out;
    }

    /** The items of a list of mappings (such as {@code actions}). */
    List<Node> list(String name) {
        JsonNode value = raw(name);
        List<Node> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (!value.isArray()) {
            throw new ConfigException(key(name) + " must be a list");
        }
        int i = 0;
        for (JsonNode item : value) {
            out.add(new Node(key(name) + "[" + i++ + "]", item));
        }
        return out;
    }

    /** Rejects keys that were never read: they are typos or settings this version does not know. */
    /**
     * The mapping as canonical JSON (keys sorted at every level), leaving out {@code except}: what an action's
     * stable key is derived from when it has no {@code id:}.
     */
    String canonical(String except) {
        if (node == null) {
            return "{}";
        }
        ObjectNode copy = node.deepCopy();
        copy.remove(except);
        try {
            return CANONICAL.writeValueAsString(CANONICAL.treeToValue(copy, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + where() + " as JSON", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    void finish() {
        if (node == null) {
            return;
        }
        Set<String> unknown = new TreeSet<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!read.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            throw new ConfigException("unknown configuration key " + key(first)
                    + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more: " + unknown + ")" : "")
                    + "; known keys here: " + new TreeSet<>(read));
        }
    }
}
