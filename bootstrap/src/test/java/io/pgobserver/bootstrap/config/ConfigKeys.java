package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every configuration key, from the code rather than a hand list: a configuration with every section and one
 * observer per action type is printed by {@link EffectiveConfig#render} (which prints every setting), and its leaf
 * paths are the keys, as {@code listener.batch_size} and {@code observers.<name>.actions[].url}.
 */
public final class ConfigKeys {

    /** Every section, smtp included, and one observer per action type with every optional key of its type. */
    static final String RICH = """
            database: { url: jdbc:postgresql://localhost:5432/app, user: app, password: pw }
            listener: { retention: 7d }
            email:
              smtp: { host: mail.example.com, user: u, password: p, from: a@example.com }
            kafka: { bootstrap_servers: "localhost:9092", client_id: c }
            observers:
              webhook:
                entity: orders
                on: [created]
                condition: "true"
                actions:
                  - { type: webhook, url: http://localhost/h, method: PUT, secret: s, timeout: 5s }
                retry: { max_attempts: 2 }
              slack:
                entity: orders
                actions:
                  - { type: slack, token: t, api_url: http://localhost/api, channel: c, text: t, thread_ts: x }
              email:
                entity: orders
                actions:
                  - { type: email, to: [a@example.com], cc: [b@example.com], from: c@example.com, subject: s,
                      template: t, text: t, html: h }
              kafka:
                entity: orders
                actions:
                  - { type: kafka, topic: orders, key: "{{after.customer}}" }
            """;

    private ConfigKeys() {
    }

    /** The leaf paths of the printed configuration: the observers' names are {@code <name>}, list items {@code []}. */
    public static Set<String> all() throws IOException {
        Configuration config = new ConfigLoader(Map.of()).loadYaml(RICH);
        JsonNode printed = new ObjectMapper(new YAMLFactory()).readTree(EffectiveConfig.render(config));
        Set<String> keys = new TreeSet<>();
        flatten(printed, "", keys);
        return keys;
    }

    /** Leaf paths: mappings are walked, the observers' names become {@code <name>}, list items {@code []}. */
    private static void flatten(JsonNode node, String path, Set<String> out) {
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = path.equals("observers") ? "<name>" : e.getKey();
                flatten(e.getValue(), path.isEmpty() ? name : path + "." + name, out);
            }
        } else if (node.isArray() && !node.isEmpty() && node.get(0).isObject()) {
            for (JsonNode item : node) {
                flatten(item, path + "[]", out);
            }
        } else {
            out.add(path);
        }
    }
}
