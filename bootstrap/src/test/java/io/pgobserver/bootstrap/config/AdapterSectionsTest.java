package io.pgobserver.bootstrap.config;

import io.pgobserver.adapters.actions.ActionsModule;
import io.pgobserver.adapters.postgres.PostgresModule;
import io.pgobserver.adapters.tracing.noop.NoopTracingModule;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sections and action types belong to the adapter that declares them: with an adapter missing, its keys are
 * errors that name it; with it present, its section is read and bound, and each action keeps a canonical
 * rendering of its settings for its stable key.
 */
class AdapterSectionsTest {

    /** A deployment of the postgres adapter and the no-op tracer only: no actions adapter. */
    private static final ConfigSchema WITHOUT_ACTIONS = ConfigSchema.of(List.<Adapter>of(new PostgresModule(),
            new NoopTracingModule()));

    @Test
    void an_action_type_of_an_adapter_not_installed_names_that_adapter() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("""
                observers:
                  o: { entity: orders, actions: [ { type: email, to: [a@example.com] } ] }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("observers.o.actions[0].type 'email'")
                .hasMessageContaining("adapters-email")
                .hasMessageContaining("not installed");
    }

    @Test
    void a_webhook_only_deployment_names_the_email_adapter_for_email_keys() {
        ConfigSchema webhookOnly = ConfigSchema.of(List.<Adapter>of(new PostgresModule(), new ActionsModule(),
                new NoopTracingModule()));
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("""
                observers:
                  o: { entity: orders, actions: [ { type: email, to: [a@example.com], subject: s, text: t } ] }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("observers.o.actions[0].type 'email' is provided by the adapter adapters-email, "
                        + "which is not installed: add its folder to adapters/ (installed: slack, webhook)");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("""
                email: { smtp: { host: mail.example.com, from: a@example.com } }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("email is read by the adapter adapters-email, which is not installed");
    }

    @Test
    void metrics_are_the_opentelemetry_adapters_but_switching_them_off_needs_no_adapter() {
        ConfigSchema webhookOnly = ConfigSchema.of(List.<Adapter>of(new PostgresModule(), new ActionsModule(),
                new NoopTracingModule()));
        assertThat(new ConfigLoader(Map.of(), webhookOnly).loadYaml("metrics: { enabled: false }").metrics().enabled())
                .isFalse();
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("metrics: { enabled: true }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.enabled needs the adapter adapters-tracing-otel, which is not installed:"
                        + " add its folder to adapters/, or set metrics.enabled: false");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("metrics: { port: 9000 }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.port: the core reads only metrics.[enabled]; the other metrics keys are"
                        + " read by the adapter adapters-tracing-otel, which is not installed");
    }

    @Test
    void a_deployment_without_the_kafka_adapter_names_it_for_a_kafka_action_and_the_kafka_section() {
        ConfigSchema webhookOnly = ConfigSchema.of(List.<Adapter>of(new PostgresModule(), new ActionsModule(),
                new NoopTracingModule()));
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("""
                observers:
                  o: { entity: orders, actions: [ { type: kafka, topic: orders } ] }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("observers.o.actions[0].type 'kafka' is provided by the adapter adapters-kafka, "
                        + "which is not installed: add its folder to adapters/");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), webhookOnly).loadYaml("""
                kafka: { bootstrap_servers: "localhost:9092" }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka is read by the adapter adapters-kafka, which is not installed");
    }

    @Test
    void the_kafka_section_reads_its_servers_from_the_environment_and_masks_credentials() {
        Configuration c = new ConfigLoader(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")).loadYaml("""
                kafka:
                  properties: { sasl.jaas.config: "PlainLoginModule required password='kafka-secret-4711';",
                                compression.type: zstd }
                observers:
                  o: { entity: orders, actions: [ { type: kafka, topic: "orders.{{event.kind}}" } ] }
                """);
        String printed = EffectiveConfig.render(c);
        assertThat(printed).contains("k1:9092", "k2:9092", "compression.type: zstd", "sasl.jaas.config: '****'",
                "key: \"{{event.entity_id}}\"").doesNotContain("kafka-secret-4711");
    }

    @Test
    void a_section_of_an_adapter_not_installed_names_that_adapter() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("""
                actions: { connect_timeout: 2s }
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("actions is read by the adapter adapters-actions, which is not installed");
    }

    @Test
    void an_unknown_section_lists_what_is_known() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("databse: { url: x }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown configuration key databse")
                .hasMessageContaining("database");
    }

    /**
     * A typo inside any section, the core's or an adapter's (they all finish through one reader), or of a section's
     * own name, is named with the key meant, as a mistyped command is.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "listener: { batchsize: 5 }                    | listener.batchsize (did you mean listener.batch_size?)",
            "kafka: { bootstrap_server: 'k:9092' }         | kafka.bootstrap_server (did you mean kafka.bootstrap_servers?)",
            "email: { smtp: { host: h, from: a@example.com, timout: 5s } } | email.smtp.timout (did you mean email.smtp.timeout?)",
            "console: { tokn: t }                          | console.tokn (did you mean console.token?)",
            "tracing: { exporter: console, endpiont: x }   | tracing.endpiont (did you mean tracing.endpoint?)",
            "tracing: { batch: { max_queue_sise: 5 } }     | tracing.batch.max_queue_sise (did you mean tracing.batch.max_queue_size?)",
            "database: { url: 'jdbc:postgresql://h/d', usr: u } | database.usr (did you mean database.user?)",
            "observers: { o: { entity: orders, actions: [ { type: webhook, url: 'http://h/', secert: s } ] } }"
                    + " | observers.o.actions[0].secert (did you mean observers.o.actions[0].secret?)",
            "kafak: { bootstrap_servers: 'k:9092' }        | kafak (did you mean kafka?)",
            "consol: { tokn: t }                           | consol (did you mean console?)"})
    void a_misspelt_key_of_any_section_or_a_misspelt_section_says_which_key_was_meant(String yaml, String named) {
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).loadYaml(yaml)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown configuration key " + named + "; known keys here: [");
    }

    @Test
    void a_misspelt_section_of_an_adapter_not_installed_names_the_section_and_the_adapter() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("actons: { read_timeout: 2s }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown configuration key actons (did "
                        + "you mean actions? it is read by the adapter adapters-actions, which is not installed: add "
                        + "its folder to adapters/); known keys here: [");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("tracing: { enabeld: true }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("tracing.enabeld (did you mean "
                        + "tracing.enabled?): the core reads only tracing.[enabled, components, entities, kinds]");
    }

    @Test
    void the_adapters_section_reads_its_own_environment_variable() {
        Configuration c = new ConfigLoader(Map.of("DATABASE_URL", "postgres://u:p@db:5432/app"), WITHOUT_ACTIONS)
                .loadYaml("");
        assertThat(ConfigLoaderTest.setting(c, "database", "url")).isEqualTo("jdbc:postgresql://db:5432/app");
        assertThat(EffectiveConfig.render(c)).contains("password: '****'").doesNotContain("u:p");
    }

    @Test
    void a_section_the_run_needs_stops_the_run_with_its_own_message() {
        Configuration c = new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("");
        assertThatThrownBy(c::requireForRun).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("database.url is required");
    }

    private static AdapterManifest manifest(String folder, String... provides) {
        return new AdapterManifest(folder, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(provides),
                List.of());
    }

    @Test
    void a_missing_capability_names_the_folder_whose_manifest_provides_it() throws Exception {
        AdapterManifest read = AdapterManifest.read(new java.io.ByteArrayInputStream(
                "folder=my-source\nprovides=change_source\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test");
        ConfigSchema schema = ConfigSchema.of(List.of(), List.of(manifest("adapters-email"), read,
                manifest("adapters-kafka")));
        assertThat(schema.capabilityNotInstalled(Adapter.Capability.CHANGE_SOURCE, "the change source", List.of()))
                .isEqualTo("no installed adapter provides the change source, which this command needs: put "
                        + "adapters/my-source back, or point --adapters-dir (or PGOBSERVER_ADAPTERS_DIR) at a folder "
                        + "that has it");
    }

    @Test
    void without_a_manifest_that_says_so_a_missing_capability_names_the_folders_not_installed() {
        ConfigSchema schema = ConfigSchema.of(List.of(), List.of(manifest("adapters-email"),
                manifest("adapters-postgres"), manifest("adapters-tracing-otel", "tracing")));
        Adapter.Capability source = Adapter.Capability.CHANGE_SOURCE;
        assertThat(schema.capabilityNotInstalled(source, "the source", List.of("adapters-email")))
                .as("one folder deleted").contains("put adapters/adapters-postgres back, or point --adapters-dir");
        assertThat(schema.capabilityNotInstalled(source, "the source", List.of()))
                .as("several deleted; a folder whose manifest lists other capabilities is not one of them")
                .contains("put back the one of adapters/{adapters-email, adapters-postgres} that provides it");
        assertThat(ConfigSchema.of(List.of(), List.of()).capabilityNotInstalled(source, "the source", List.of()))
                .contains("add an adapter that provides change_source to adapters/");
    }

    @Test
    void an_actions_settings_render_canonically_whatever_the_key_order() {
        Configuration a = new ConfigLoader(Map.of()).loadYaml("""
                observers:
                  o: { entity: orders, actions: [ { type: webhook, url: "http://h/x", method: PUT } ] }
                """);
        Configuration b = new ConfigLoader(Map.of()).loadYaml("""
                observers:
                  o: { entity: orders, actions: [ { method: PUT, url: "http://h/x", type: webhook } ] }
                """);
        String settings = a.observers().getFirst().actions().getFirst().settings();
        assertThat(settings).isEqualTo(b.observers().getFirst().actions().getFirst().settings())
                .isEqualTo("{\"method\":\"PUT\",\"type\":\"webhook\",\"url\":\"http://h/x\"}");
    }

    @Test
    void the_core_reads_its_tracing_keys_without_the_tracing_adapter_and_a_typo_is_still_named() {
        Configuration c = new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("""
                tracing: { enabled: true, components: { cache: false }, entities: [orders], kinds: [created] }
                """);
        assertThat(c.tracing().enabled()).isTrue();
        assertThat(c.tracing().components()).doesNotContain(Tracer.Component.CACHE);
        assertThat(c.tracingActive()).isTrue();
        assertThat(EffectiveConfig.render(c)).contains("entities:\n  - public.orders")
                .as("no key of the missing adapter").doesNotContain("service_name", "sample_rate");
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), WITHOUT_ACTIONS).loadYaml("tracing: { enabeld: true }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.enabeld")
                .hasMessageContaining("the core reads only tracing.[enabled, components, entities, kinds]");
    }

    @Test
    void an_opentelemetry_exporter_variable_with_no_adapter_to_export_is_an_error_even_without_manifests() {
        ConfigSchema bare = ConfigSchema.of(List.<Adapter>of(new PostgresModule(), new NoopTracingModule()),
                List.of(manifest("adapters-postgres", "change_source")));
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317");

        assertThatThrownBy(() -> new ConfigLoader(env, bare).loadYaml("observers: {}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT says where spans go, and no installed adapter "
                        + "exports spans").hasMessageContaining("adapters-tracing-otel");
        assertThat(new ConfigLoader(Map.of("OTEL_TRACES_EXPORTER", "none"), bare).loadYaml("observers: {}")
                .tracingActive()).as("none asks for no export").isFalse();
    }

    @Test
    void with_the_tracing_adapter_a_typo_in_the_shared_section_is_still_named_by_the_core() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).loadYaml("tracing: { exporter: console, endpiont: x }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown configuration key tracing.endpiont");
    }

    @Test
    void an_extension_reads_the_rest_of_the_shared_section_and_is_printed_inside_it() {
        Adapter sampler = new FakeTracingExtension(new ConfigSection<String>() {
            @Override public String key() { return "tracing"; }
            @Override public Class<String> type() { return String.class; }
            @Override public boolean extendsCore() { return true; }
            @Override public boolean active(String mode) { return !mode.equals("idle"); }
            @Override public String read(ConfigReader section) { return section.string("mode", "on"); }
            @Override public Map<String, Object> render(String mode) { return Map.of("mode", mode); }
        });
        ConfigSchema schema = ConfigSchema.of(List.of(new NoopTracingModule(), sampler));
        Configuration on = new ConfigLoader(Map.of(), schema).loadYaml("tracing: { enabled: true, mode: fast }");
        assertThat(on.tracingActive()).isTrue();
        assertThat(EffectiveConfig.value(on, "tracing.mode")).isEqualTo("fast");
        assertThat(EffectiveConfig.value(on, "tracing.enabled")).isEqualTo("true");
        assertThat(new ConfigLoader(Map.of(), schema).loadYaml("tracing: { enabled: true, mode: idle }")
                .tracingActive()).as("the extension turns tracing off").isFalse();
        assertThatThrownBy(() -> new ConfigLoader(Map.of(), schema).loadYaml("tracing: { mdoe: x }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.mdoe");
    }

    @Test
    void only_the_tracing_section_may_be_extended() {
        Adapter bad = new FakeTracingExtension(new ConfigSection<String>() {
            @Override public String key() { return "listener"; }
            @Override public Class<String> type() { return String.class; }
            @Override public boolean extendsCore() { return true; }
            @Override public String read(ConfigReader section) { return ""; }
            @Override public Map<String, Object> render(String value) { return Map.of(); }
        });
        assertThatThrownBy(() -> ConfigSchema.of(List.of(bad))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("extends the section 'listener', which the core does not share");
    }

    /** An adapter with one section, for the schema only (never installed in an injector). */
    private record FakeTracingExtension(ConfigSection<?> section) implements Adapter {
        @Override public String name() { return "fake-tracing"; }
        @Override public Set<Capability> provides() { return Set.of(); }
        @Override public List<ConfigSection<?>> sections() { return List.of(section); }
    }
}
