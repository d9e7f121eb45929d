package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.spi.ConfigReader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A strict reader over one mapping of the configuration tree: every read names its key path in errors, and
 * {@link #finish()} rejects keys nobody read, so a typo ({@code batchsize}) stops the boot instead of being
 * silently ignored.
 */
final class Node implements ConfigReader {

    private final String path;
    private final ObjectNode node;
    private final Set<String> read = new HashSet<>();
    private final Map<String, String> environment;
    private final List<String> warnings;

    /**
     * @param environment the variables the configuration is loaded with, for {@link #environment()}
     * @param warnings    where {@link #warn} adds, shared by the whole tree
     */
    Node(String path, JsonNode node, Map<String, String> environment, List<String> warnings) {
        this.path = path;
        this.environment = environment;
        this.warnings = warnings;
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new ConfigException(where() + " must be a mapping of keys to values");
        }
        this.node = node == null || node.isNull() ? null : (ObjectNode) node;
    }

    @Override
    public String path() {
        return path;
    }

    private String where() {
        return path.isEmpty() ? "the configuration" : path;
    }

    @Override
    public String key(String name) {
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

    @Override
    public boolean has(String name) {
        return node != null && node.hasNonNull(name);
    }

    @Override
    public Node child(String name) {
        return new Node(key(name), raw(name), environment, warnings);
    }

    @Override
    public String string(String name, String fallback) {
        JsonNode value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isValueNode()) {
            throw new ConfigException(key(name) + " must be a single value, not a list or mapping");
        }
        return value.asText();
    }

    @Override
    public String requiredString(String name, String hint) {
        String value = string(name, null);
        if (value == null || value.isBlank()) {
            throw new ConfigException(key(name) + " is required: " + hint + misspelling(name));
        }
        return value;
    }

    /** " (observers.o has entitty, which is no setting: write entity)" for a missing {@code name}, else "". */
    String misspelling(String name) {
        return has(name) ? "" : NearMisses.hint(where(), List.of(name), keys());
    }

    /** The same for any key read here and absent, against the keys nobody read: for an adapter's own messages. */
    String misspellings() {
        return NearMisses.hint(where(), read.stream().filter(name -> !has(name)).sorted().toList(), unread());
    }

    @Override
    public boolean bool(String name, boolean fallback) {
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

    @Override
    public int integer(String name, int fallback, int min, int max) {
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

    @Override
    public double decimal(String name, double fallback) {
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

    @Override
    public Duration duration(String name, Duration fallback) {
        String value = string(name, null);
        try {
            return value == null ? fallback : Durations.parse(key(name), value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e); // it names the key, the forms and the value given
        }
    }

    @Override
    public List<String> strings(String name) {
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
            throw new ConfigException(key(name) + " must be a list: start each item with '- ' on a line of its own, "
                    + "or write [ { ... }, { ... } ]");
        }
        for (JsonNode item : value) {
            if (!item.isValueNode()) {
                throw new ConfigException(key(name) + " must be a list of values");
            }
            out.add(item.asText());
        }
        return out;
    }

    @Override
    public Map<String, String> stringMap(String name) {
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

    @Override
    public Object tree(String name) {
        return Trees.plain(raw(name));
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
            out.put(e.getKey(), new Node(key(name) + "." + e.getKey(), e.getValue(), environment, warnings));
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
            throw new ConfigException(key(name) + " must be a list: start each item with '- ' on a line of its own, "
                    + "or write [ { ... }, { ... } ]");
        }
        int i = 0;
        for (JsonNode item : value) {
            out.add(new Node(key(name) + "[" + i++ + "]", item, environment, warnings));
        }
        return out;
    }

    /**
     * Rejects keys that were never read: they are typos, named with the key meant (the core's sections and every
     * adapter's finish here), or settings this version does not know.
     */
    @Override
    public void finish() {
        Set<String> unknown = unread();
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            throw new ConfigException("unknown configuration key " + key(first) + NearMisses.didYouMean(first,
                    read.stream().filter(name -> !has(name)).sorted().toList(), key(""))
                    + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more: " + unknown + ")" : "")
                    + "; known keys here: " + new TreeSet<>(read));
        }
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    @Override
    public Map<String, String> environment() {
        return environment;
    }

    /** The keys present that nobody read, sorted: for a section whose remaining keys belong to a missing adapter. */
    Set<String> unread() {
        return keys().stream().filter(name -> !read.contains(name)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The keys present in this mapping, in file order. */
    List<String> keys() {
        return node == null ? List.of() : node.propertyStream().map(Map.Entry::getKey).toList();
    }

    @Override
    public String canonical() {
        return CanonicalJson.of(node);
    }

    /** {@link #canonical()} without the keys {@code leftOut}, each scalar's text passed through {@code text}. */
    String canonical(Set<String> leftOut, UnaryOperator<String> text) {
        return CanonicalJson.of(node, leftOut, text);
    }
}
