package io.pgobserver.bootstrap.config;

import io.pgobserver.adapters.actions.ActionsModule;
import io.pgobserver.adapters.postgres.PostgresModule;
import io.pgobserver.adapters.tracing.noop.NoopTracingModule;
import io.pgobserver.domain.spi.Adapter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

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
}
