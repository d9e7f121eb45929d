package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys the loader reads, asked of the loader: a configuration is loaded once per mapping with one key added that
 * nobody reads ({@code --set path.zz_probe=1}), and the error lists what that mapping read ("known keys here"). A
 * key that {@code check-config} prints as a value, or whose own probe is not refused that way, is a leaf (a value, a list of values, or a free map such as
 * {@code headers}); the others are walked in turn, and a list of mappings ({@code actions}) is a key and each of its
 * items walked. Paths come out as the guide writes them: the observers' names as
 * {@code <name>}, list items as {@code []}.
 */
final class ConfigKeyProbe {

    private static final String PROBE = "zz_probe";
    private static final Pattern ITEM = Pattern.compile("(.+)\\[(\\d+)]");

    private final String yaml;
    private final ConfigLoader loader = new ConfigLoader(Map.of(), ConfigSchema.classPath());
    private final ObjectNode file;
    /** The configuration as {@code check-config} prints it: a key printed as a value needs no probe of its own. */
    private final JsonNode printed;
    private final Set<String> leaves = new TreeSet<>();

    /** @param yaml a valid configuration with every section and one observer per action type */
    ConfigKeyProbe(String yaml) {
        this.yaml = yaml;
        this.file = YamlDocuments.parse(yaml, "probe");
        // Valid as given: every refusal below is the probe's.
        Configuration config = loader.loadYaml(yaml);
        this.printed = YamlDocuments.parse(EffectiveConfig.render(config), "printed");
    }

    Set<String> keys() {
        if (leaves.isEmpty()) {
            walk("");
        }
        return leaves;
    }

    private void walk(String path) {
        for (String key : known(path)) {
            String child = path.isEmpty() ? key : path + "." + key;
            JsonNode value = at(printed, child);
            if (child.equals("observers")) {
                file.get("observers").fieldNames().forEachRemaining(name -> walk("observers." + name));
            } else if (value != null && (value.isValueNode() || value.isArray() && !value.path(0).isObject())) {
                leaves.add(guideForm(child)); // a value, or a list of values: no mapping below it
            } else if (at(file, child) instanceof JsonNode list && list.isArray() && !list.isEmpty()
                    && list.get(0).isObject()) {
                leaves.add(guideForm(child));
                for (int i = 0; i < list.size(); i++) {
                    walk(child + "[" + i + "]");
                }
            } else if (known(child).isEmpty()) {
                leaves.add(guideForm(child));
            } else {
                walk(child);
            }
        }
    }

    private static String guideForm(String path) {
        return path.replaceAll("^observers\\.[^.]+", "observers.<name>").replaceAll("\\[\\d+]", "[]");
    }

    /** What the mapping at {@code path} read, or nothing when it is no mapping the loader checks. */
    private List<String> known(String path) {
        String probe = path.isEmpty() ? PROBE : path + "." + PROBE;
        try {
            loader.loadYaml(yaml, List.of(probe + "=1"));
            return List.of();
        } catch (ConfigException e) {
            Matcher m = Pattern.compile("unknown configuration key " + Pattern.quote(probe)
                    + "; known keys here: \\[(.*)]").matcher(e.getMessage());
            return m.find() ? List.of(m.group(1).split(", ")) : List.of();
        }
    }

    /** The node at a dotted path with {@code [N]} items, or null. */
    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            Matcher item = ITEM.matcher(part);
            node = item.matches() ? node.path(item.group(1)).get(Integer.parseInt(item.group(2))) : node.get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }
}
