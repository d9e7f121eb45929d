package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration key the loader reads, and every environment variable the code reads, is explained in
 * {@code docs/guide.md}. The keys come from the code: a configuration with every section and one observer per
 * action type is printed by {@link EffectiveConfig#render} (which prints every setting), and its leaf paths are
 * what the guide must name: {@code observers.<name>.actions[].url}.
 */
class DocsCoverageTest {

    private static final Path GUIDE = ExampleConfigsTest.DOCS.resolve("guide.md");

    /** Every section, smtp included, and one observer per action type with every optional key of its type. */
    private static final String RICH = """
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

    @Test
    void every_configuration_key_is_in_the_guide() throws IOException {
        Configuration config = new ConfigLoader(Map.of()).loadYaml(RICH);
        JsonNode printed = new ObjectMapper(new YAMLFactory()).readTree(EffectiveConfig.render(config));
        Set<String> keys = new TreeSet<>();
        flatten(printed, "", keys);
        assertThat(keys).as("keys found in the printed configuration").contains("listener.batch_size",
                "email.smtp.password", "observers.<name>.actions[].webhook_url", "observers.<name>.retry.multiplier");
        String guide = Files.readString(GUIDE);
        assertThat(keys.stream().filter(key -> !guide.contains("`" + key + "`")).toList())
                .as("configuration keys missing from docs/guide.md (write each as `key.path`)")
                .isEmpty();
    }

    @Test
    void every_environment_variable_is_in_the_guide() throws IOException {
        Set<String> variables = new LinkedHashSet<>(EnvironmentOverrides.VARIABLES);
        variables.addAll(ConfigSchema.classPath().variables());
        assertThat(variables).as("the adapters' own variables").contains("DATABASE_URL");
        variables.addAll(logbackVariables());
        assertThat(variables).contains("PGOBSERVER_LOG_LEVEL");
        String guide = Files.readString(GUIDE);
        assertThat(variables.stream().filter(v -> !guide.contains("`" + v + "`")).toList())
                .as("environment variables missing from docs/guide.md (write each as `NAME`)")
                .isEmpty();
    }

    /**
     * The repository explains itself: no source, build file or document cites a design document that is not in
     * it ({@code docs/architecture.md} is the design reference).
     */
    @Test
    void nothing_cites_a_design_document_outside_the_repository() throws IOException {
        Path root = ExampleConfigsTest.DOCS.getParent();
        String outside = "DESIGN" + ".md";
        try (var files = Files.walk(root)) {
            List<Path> citing = files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().matches(".*\\.(java|md|xml|yaml|yml|sh|properties)$"))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains(outside);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
            assertThat(citing).as("files citing " + outside).isEmpty();
        }
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

    /** The {@code ${NAME:-default}} variables of logback.xml. */
    private static List<String> logbackVariables() throws IOException {
        try (InputStream in = DocsCoverageTest.class.getResourceAsStream("/logback.xml")) {
            assertThat(in).as("logback.xml on the class path").isNotNull();
            Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::-[^}]*)?}")
                    .matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return m.results().map(r -> r.group(1)).toList();
        }
    }
}
