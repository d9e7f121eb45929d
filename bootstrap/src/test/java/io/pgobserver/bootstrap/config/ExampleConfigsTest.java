package io.pgobserver.bootstrap.config;

import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every example configuration in {@code docs/examples/} loads, validates and prints with its secrets masked, and
 * {@code docs/examples.md} explains each of them.
 */
class ExampleConfigsTest {

    static final Path DOCS = Path.of("..", "docs");
    static final Path EXAMPLES = DOCS.resolve("examples");

    /** The secrets the examples read from the environment: none may show in the printed configuration. */
    static final Map<String, String> SECRETS = Map.of(
            "DB_PASSWORD", "example-db-password-4711",
            "HOOK_SECRET", "whsec_ZXhhbXBsZS1ob29rLXNlY3JldA==",
            "ACME_HOOK_SECRET", "acme-hook-secret-4711",
            "GLOBEX_HOOK_SECRET", "globex-hook-secret-4711",
            "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0000/B0000/slack-path-secret-4711",
            "SLACK_BOT_TOKEN", "xoxb-slack-bot-token-4711",
            "SMTP_PASSWORD", "smtp-password-4711",
            "CRM_TOKEN", "crm-token-4711",
            "EVENTS_API_TOKEN", "events-api-token-4711",
            "PAGERDUTY_ROUTING_KEY", "pd-routing-key-4711");

    static final Map<String, String> ENV = environment();

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(SECRETS);
        env.put("TEMPLATES_DIR", EXAMPLES.resolve("templates").toString());
        return Map.copyOf(env);
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void there_are_at_least_ten_examples() throws IOException {
        assertThat(examples()).hasSizeGreaterThanOrEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void example_is_valid_and_prints_without_secrets(Path file) {
        Configuration config = new ConfigLoader(ENV).load(file, List.of());
        validate(config);
        String printed = EffectiveConfig.render(config);
        SECRETS.forEach((name, value) -> assertThat(printed)
                .as("%s: the value of %s is printed", file.getFileName(), name)
                .doesNotContain(value)
                .doesNotContain(value.replace("whsec_", "")));
    }

    /** The examples of docs/examples/ and the Kafka one of examples/kafka/. */
    static List<Path> everyExample() throws IOException {
        List<Path> all = new java.util.ArrayList<>(examples());
        all.add(DOCS.getParent().resolve("examples").resolve("kafka").resolve("pg-observer.yaml"));
        return all;
    }

    /**
     * DATABASE_URL alone is enough for every example, as examples.md says: its password wins over
     * database.password, so none of them needs DB_PASSWORD then (they write ${DB_PASSWORD:-}).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyExample")
    void example_loads_with_database_url_alone(Path file) {
        Map<String, String> env = new HashMap<>(ENV);
        env.remove("DB_PASSWORD");
        env.put("DATABASE_URL", "postgres://observer:url-password-4711@db.example.com:5432/shop");
        env.put("KAFKA_BOOTSTRAP_SERVERS", "broker1:9092");
        Configuration config = new ConfigLoader(env).load(file, List.of());
        validate(config);
        assertThat(EffectiveConfig.render(config)).contains("url: jdbc:postgresql://db.example.com:5432/shop")
                .doesNotContain("url-password-4711");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void example_is_explained_in_examples_md(Path file) throws IOException {
        assertThat(Files.readString(DOCS.resolve("examples.md")))
                .contains("examples/" + file.getFileName());
    }

    /**
     * What {@code check-config} checks of an example: every adapter booted, so conditions are compiled, and the
     * executors validate each action (email templates found under {@code email.templates_dir} and compiled,
     * webhook and Slack settings checked).
     */
    static void validate(Configuration config) {
        assertThat(config.section("database")).as("database.url").isNotNull();
        assertThat(Boot.boot(config, AdapterCatalog.discover()).observers()).as("observers").isNotEmpty();
    }

    /** {@code examples/kafka/pg-observer.yaml}: valid, its topic template compiled, its credentials masked. */
    @Test
    void the_kafka_example_is_valid_and_masks_the_clusters_credentials() throws IOException {
        Path example = DOCS.getParent().resolve("examples").resolve("kafka").resolve("pg-observer.yaml");
        Path secured = Files.createTempFile("kafka-example", ".yaml");
        try {
            // The example's SASL lines, uncommented.
            Files.writeString(secured, Files.readString(example)
                    .replace("    # security.protocol", "    security.protocol").replace("    # sasl.", "    sasl."));
            Map<String, String> env = new HashMap<>(ENV);
            env.put("KAFKA_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"shop\" password=\"kafka-password-4711\";");
            Configuration config = new ConfigLoader(env).load(secured, List.of());
            validate(config);
            assertThat(EffectiveConfig.render(config)).contains("orders.{{event.kind}}",
                    "sasl.jaas.config: '****'", "security.protocol: SASL_SSL").doesNotContain("kafka-password-4711");
        } finally {
            Files.delete(secured);
        }
    }

    @Test
    void the_check_finds_a_missing_template_and_a_broken_condition() throws IOException {
        Path example = EXAMPLES.resolve("email-on-deletion.yaml");
        Map<String, String> elsewhere = new HashMap<>(ENV);
        elsewhere.put("TEMPLATES_DIR", EXAMPLES.toString());
        Configuration noTemplates = new ConfigLoader(elsewhere).load(example, List.of());
        assertThatThrownBy(() -> validate(noTemplates)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("template 'invoice_deleted' not found");

        Path broken = Files.createTempFile("broken-condition", ".yaml");
        try {
            Files.writeString(broken, Files.readString(EXAMPLES.resolve("order-shipped-webhook.yaml"))
                    .replaceFirst("condition: .*", "condition: \"after.status ==\""));
            Configuration config = new ConfigLoader(ENV).load(broken, List.of());
            assertThatThrownBy(() -> validate(config)).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("observers.");
        } finally {
            Files.delete(broken);
        }
    }
}
