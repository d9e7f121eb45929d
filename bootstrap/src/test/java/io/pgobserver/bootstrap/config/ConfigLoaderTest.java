package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.TableName;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.trace.Tracer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ConfigLoaderTest {

    private static final String DB = "database: { url: jdbc:postgresql://localhost:5432/app }\n";

    @TempDir
    Path dir;

    private Path file(String yaml) {
        try {
            Path path = Files.createTempFile(dir, "pg-observer", ".yaml");
            Files.writeString(path, yaml);
            return path;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Configuration load(Map<String, String> env, String yaml, String... overrides) {
        return new ConfigLoader(env).load(file(yaml), List.of(overrides));
    }

    private Configuration load(String yaml, String... overrides) {
        return load(Map.of(), yaml, overrides);
    }

    /** YAML text as commands outside the core pass it: its messages name the "inline configuration". */
    private static Configuration inline(String yaml) {
        return new ConfigLoader(Map.of()).loadYaml(yaml);
    }

    private static String observer(String body) {
        return "observers:\n  o:\n    entity: orders\n" + body;
    }

    private static final String WEBHOOK = "    actions:\n      - { type: webhook, url: http://localhost:8080/hook }\n";

    @Nested
    class Defaults {

        @Test
        void an_empty_file_gives_the_documented_defaults() {
            Configuration c = load("");
            assertThat(setting(c, "database")).isNull();
            assertThat(c.listener().consumer()).isEqualTo("default");
            assertThat(c.listener().batchSize()).isEqualTo(500);
            assertThat(c.listener().pollInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(c.listener().maxInFlight()).isEqualTo(256);
            assertThat(c.listener().checkpointInterval()).isEqualTo(Duration.ofMillis(200));
            assertThat(c.listener().retention()).isNull();
            assertThat(c.deduplicate()).isTrue();
            // Tracing and metrics are opt-in: nothing is exported and no port opens without a word.
            assertThat(c.tracing().enabled()).isFalse();
            assertThat(setting(c, "tracing", "onlyErrors")).isEqualTo(false);
            assertThat(c.metrics().enabled()).isFalse();
            assertThat(setting(c, "tracing", "serviceName")).isEqualTo("pg-observer");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("otlp");
            assertThat(setting(c, "tracing", "endpoint")).isNull();
            assertThat(setting(c, "tracing", "protocol")).isEqualTo("grpc");
            assertThat(setting(c, "tracing", "sampleRate")).isEqualTo(1.0);
            assertThat(setting(c, "tracing", "batch", "maxQueueSize")).isEqualTo(2048);
            assertThat(setting(c, "tracing", "batch", "maxExportBatchSize")).isEqualTo(512);
            assertThat(setting(c, "tracing", "batch", "scheduleDelay")).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.tracing().components()).containsExactlyInAnyOrder(Tracer.Component.values());
            assertThat(c.tracing().entities()).isEmpty();
            assertThat(c.tracing().kinds()).isEmpty();
            assertThat(c.metrics().port()).isEqualTo(9464);
            assertThat(c.metrics().exporter()).isEqualTo("prometheus");
            assertThat(c.adminPort()).isEqualTo(8081);
            assertThat(setting(c, "actions", "connectTimeout")).isEqualTo(Duration.ofSeconds(5));
            assertThat(setting(c, "actions", "readTimeout")).isEqualTo(Duration.ofSeconds(10));
            assertThat((java.util.Set<?>) setting(c, "actions", "allowedHosts")).isEmpty();
            assertThat(setting(c, "email", "templatesDir")).isEqualTo(Path.of("templates"));
            assertThat(setting(c, "email", "smtp")).isNull();
            assertThat(c.observers()).isEmpty();
            assertThat(c.warnings()).isEmpty();
        }

        @Test
        void an_observer_gets_every_kind_the_default_retry_and_a_qualified_entity() {
            Configuration.ObserverDefinition o = load(observer(WEBHOOK)).observers().getFirst();
            assertThat(o.entity()).isEqualTo("public.orders");
            assertThat(o.on()).containsExactlyInAnyOrder(ChangeKind.values());
            assertThat(o.condition()).isEmpty();
            assertThat(o.retry().maxAttempts()).isEqualTo(5);
            assertThat(o.retry().initialBackoff()).isEqualTo(Duration.ofSeconds(1));
            assertThat(o.retry().maxBackoff()).isEqualTo(Duration.ofMinutes(1));
            assertThat(o.retry().multiplier()).isEqualTo(2.0);
            Object w = o.specs().getFirst();
            assertThat(w.getClass().getName()).isEqualTo("io.pgobserver.adapters.actions.WebhookAction");
            assertThat(value(w, "method")).isEqualTo("POST");
            assertThat(value(w, "timeout")).isEqualTo(Duration.ofSeconds(10));
            assertThat(value(w, "secret")).isNull();
        }

        @Test
        void an_actions_key_is_its_id_or_a_hash_of_its_settings_that_survives_reordering() {
            String hook = "      - { type: webhook, url: http://localhost:8080/hook }\n";
            String audit = "      - { type: webhook, url: http://localhost:8080/audit, method: PUT }\n";
            String named = "      - { id: notify-shop, type: webhook, url: http://localhost:8080/shop }\n";
            List<String> before = load(observer("    actions:\n" + hook + named)).observers().getFirst().actionKeys();
            List<String> after = load(observer("    actions:\n" + audit + named + hook)).observers().getFirst()
                    .actionKeys();
            assertThat(before.get(0)).matches("h[0-9a-f]{16}");
            assertThat(before.get(1)).isEqualTo("notify-shop");
            // Inserted and moved: the hook keeps its key, the new action gets one of its own.
            assertThat(after).containsExactly(after.get(0), "notify-shop", before.get(0));
            assertThat(after.get(0)).isNotIn(before);
        }

        @Test
        void two_identical_actions_without_ids_or_a_repeated_id_are_errors() {
            String hook = "      - { type: webhook, url: http://localhost:8080/hook }\n";
            assertThatThrownBy(() -> load(observer("    actions:\n" + hook + hook)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("observers.o.actions[1]").hasMessageContaining("distinct id:");
            assertThatThrownBy(() -> load(observer("    actions:\n"
                    + "      - { id: a, type: webhook, url: http://localhost:8080/1 }\n"
                    + "      - { id: a, type: webhook, url: http://localhost:8080/2 }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("id 'a' is used by another action");
            assertThatThrownBy(() -> load(observer("    actions:\n"
                    + "      - { id: 'no spaces', type: webhook, url: http://localhost:8080/1 }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("observers.o.actions[0].id");
        }

        @Test
        void an_observer_setting_under_an_action_says_where_it_belongs() {
            assertThatThrownBy(() -> load(observer("    actions:\n"
                    + "      - type: webhook\n        url: http://localhost:8080/hook\n"
                    + "        retry: { max_attempts: 3 }\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("unknown configuration key observers.o.actions[0].retry: retry is a setting of the"
                            + " observer, not of one action: move it to observers.o.retry (at the level of actions:,"
                            + " not under it)");
        }

        @Test
        void a_required_key_spelt_wrong_is_named_with_the_spelling_to_write() {
            assertThatThrownBy(() -> load("observers:\n  o:\n    entitty: orders\n" + WEBHOOK))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("observers.o.entity is required: the table to watch, as schema.table"
                            + " (observers.o has entitty, which is no setting: write entity)");
            assertThatThrownBy(() -> load(observer("    actions:\n      - { type: webhook, ulr: http://h/x }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("observers.o.actions[0].url is required")
                    .hasMessageContaining("(observers.o.actions[0] has ulr, which is no setting: write url)");
            assertThatThrownBy(() -> load(observer("    action:\n      - { type: webhook, url: http://h/x }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("observers.o.actions must list")
                    .hasMessageContaining("(observers.o has action, which is no setting: write actions)");
            assertThatThrownBy(() -> load("email: { smtp: { hots: mail.example.com, from: a@example.com } }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("(email.smtp has hots, which is no setting: write host)");
            // An adapter's own "must be set" names the typo too.
            assertThatThrownBy(() -> load(observer("    actions:\n      - { type: slack, webhook_url: http://h/x, "
                    + "txt: hi }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("text must be set")
                    .hasMessageEndingWith("(observers.o.actions[0] has txt, which is no setting: write text)");
            // A key that is only missing is reported as before: nothing written near it is blamed.
            assertThatThrownBy(() -> load(observer("    actions:\n      - { type: webhook, method: POST }\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("observers.o.actions[0].url is required: an http(s) URL");
        }

        @Test
        void smtp_defaults_to_port_587_starttls_and_a_30s_timeout() {
            Configuration c = load("email: { smtp: { host: mail.example.com, from: a@example.com } }");
            assertThat(setting(c, "email", "smtp", "port")).isEqualTo(587);
            assertThat(setting(c, "email", "smtp", "security")).isEqualTo("starttls");
            assertThat(setting(c, "email", "smtp", "timeout")).isEqualTo(Duration.ofSeconds(30));
        }

        @Test
        void the_mail_keys_that_actions_held_say_where_they_are_now() {
            assertThatThrownBy(() -> load("actions: { smtp: { host: mail.example.com, from: a@example.com } }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("actions.smtp is now email.smtp, read by the adapter adapters-email");
            assertThatThrownBy(() -> load("actions: { templates_dir: mail }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("actions.templates_dir is now email.templates_dir");
        }

        @Test
        void a_missing_default_file_is_fine_but_a_missing_named_file_is_an_error() {
            assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(dir.resolve("nope.yaml"), List.of()))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("nope.yaml").hasMessageContaining("--config");
        }
    }

    @Nested
    class Precedence {

        @Test
        void environment_wins_over_the_file_and_flags_win_over_both() {
            String yaml = "tracing: { service_name: from-file, sample_rate: 0.5 }";
            assertThat(setting(load(yaml), "tracing", "serviceName")).isEqualTo("from-file");
            Map<String, String> env = Map.of("TRACING_SERVICE_NAME", "from-env", "TRACING_SAMPLE_RATE", "0.25");
            Configuration fromEnv = load(env, yaml);
            assertThat(setting(fromEnv, "tracing", "serviceName")).isEqualTo("from-env");
            assertThat(setting(fromEnv, "tracing", "sampleRate")).isEqualTo(0.25);
            Configuration fromFlag = load(env, yaml, "tracing.service_name=from-flag");
            assertThat(setting(fromFlag, "tracing", "serviceName")).isEqualTo("from-flag");
            assertThat(setting(fromFlag, "tracing", "sampleRate")).isEqualTo(0.25);
        }

        @Test
        void a_flag_can_set_a_key_the_file_does_not_have() {
            Configuration c = load("", "listener.batch_size=42", "tracing.batch.schedule_delay=250ms");
            assertThat(c.listener().batchSize()).isEqualTo(42);
            assertThat(setting(c, "tracing", "batch", "scheduleDelay")).isEqualTo(Duration.ofMillis(250));
        }

        @Test
        void a_flag_sets_a_key_with_dots_in_it_written_with_backslashes() {
            Configuration c = load("kafka: { bootstrap_servers: 'k:9092' }", "kafka.properties.linger\\.ms=5");
            assertThat(EffectiveConfig.render(c)).contains("properties:\n    linger.ms: 5");
        }

        @Test
        void a_flag_sets_an_item_of_a_list_the_file_has_written_with_its_index_as_in_helm() {
            String yaml = DB + observer("    actions:\n      - { id: a, type: webhook, url: http://localhost:8080/1 }\n"
                    + "      - { id: b, type: webhook, url: http://localhost:8080/2 }\n");
            Configuration c = load(yaml, "observers.o.actions[1].url=http://localhost:9000/2",
                    "observers.o.actions[0].timeout=2s");
            String rendered = EffectiveConfig.render(c);
            assertThat(rendered).contains("url: http://localhost:8080/1", "url: http://localhost:9000/2", "timeout: 2s")
                    .doesNotContain("url: http://localhost:8080/2");
            assertThat(c.observers().getFirst().specs()).hasSize(2);
            assertThatThrownBy(() -> load(yaml, "observers.o.actions[2].url=http://localhost:9000/3"))
                    .isInstanceOf(ConfigException.class).hasMessage("--set observers.o.actions[2].url: actions lists 2"
                            + " item(s), [0] to [1]: --set changes an item the file lists, and adds none");
            // Without an index the list was replaced by a mapping, losing every action: now it names the fix.
            assertThatThrownBy(() -> load(yaml, "observers.o.actions.url=http://localhost:9000/3"))
                    .isInstanceOf(ConfigException.class).hasMessage("--set observers.o.actions.url: observers.o.actions"
                            + " is a list: name its item, counted from 0, such as observers.o.actions[0]");
        }

        @Test
        void max_parked_bounds_the_parked_entities_and_defaults_to_a_quarter_of_the_heap() {
            assertThat(load("listener: { max_parked: 5000 }").listener().parkedLimit()).isEqualTo(5000);
            long quarter = Runtime.getRuntime().maxMemory() / 4 / ListenerSettings.BYTES_PER_PARKED;
            assertThat(load("").listener().parkedLimit()).isEqualTo(Math.clamp(quarter, 1_000, 10_000_000));
            assertThat(EffectiveConfig.render(load("listener: { max_parked: 5000 }"))).contains("max_parked: 5000");
            assertThatThrownBy(() -> load("listener: { max_parked: 0 }")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener.max_parked must be between 1 and");
        }

        @Test
        void capture_check_interval_sets_how_soon_run_finds_a_dropped_capture_and_defaults_to_a_minute() {
            assertThat(load("listener: { capture_check_interval: 10s }").listener().captureCheckInterval())
                    .isEqualTo(Duration.ofSeconds(10));
            assertThat(load("", "listener.capture_check_interval=24h").listener().captureCheckInterval())
                    .isEqualTo(Duration.ofHours(24));
            assertThat(load("").listener().captureCheckInterval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(EffectiveConfig.render(load(""))).contains("capture_check_interval: 1m");
            assertThat(EffectiveConfig.render(load("listener: { capture_check_interval: 1s }")))
                    .contains("capture_check_interval: 1s");
            assertThatThrownBy(() -> load("listener: { capture_check_interval: 500ms }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener.capture_check_interval must be between 1s and 24h")
                    .hasMessageEndingWith(", was 500ms");
            assertThatThrownBy(() -> load("listener: { capture_check_interval: 2d }"))
                    .isInstanceOf(ConfigException.class).hasMessageEndingWith(", was 2d");
            assertThatThrownBy(() -> load("listener: { capture_check_interval: hourly }"))
                    .isInstanceOf(ConfigException.class).hasMessage("listener.capture_check_interval must be a "
                            + "duration such as 500ms, 1s, 2m or 1h, was 'hourly'");
        }

        @Test
        void max_pending_bytes_bounds_what_pending_events_hold_and_defaults_to_a_quarter_of_the_heap() {
            assertThat(load("listener: { max_pending_bytes: 64MiB }").listener().pendingBytesLimit())
                    .isEqualTo(64L << 20);
            assertThat(load("", "listener.max_pending_bytes=2_000_000").listener().pendingBytesLimit())
                    .isEqualTo(2_000_000);
            long quarter = Math.max(ListenerSettings.MIN_PENDING_BYTES, Runtime.getRuntime().maxMemory() / 4);
            assertThat(load("").listener().pendingBytesLimit()).isEqualTo(quarter);
            assertThat(EffectiveConfig.render(load("listener: { max_pending_bytes: 48MiB }")))
                    .contains("max_pending_bytes: 48 MiB");
            assertThatThrownBy(() -> load("listener: { max_pending_bytes: lots }")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener.max_pending_bytes must be an amount of memory such as 64MiB");
            assertThatThrownBy(() -> load("listener: { max_pending_bytes: 64 }")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener.max_pending_bytes must be at least 1MiB (write the unit");
            assertThatThrownBy(() -> load("listener: { max_pending_bytes: 1024GiB }"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("listener.max_pending_bytes (1024 GiB) is not below this JVM's heap");
        }

        @Test
        void a_flag_without_equals_sign_is_an_error() {
            assertThatThrownBy(() -> load("", "listener.batch_size"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("key.path=value");
        }

        @Test
        void a_flag_naming_an_unknown_key_is_an_error_naming_it() {
            assertThatThrownBy(() -> load("", "listener.batchsize=10"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("listener.batchsize");
        }
    }

    @Nested
    class Substitution {

        @Test
        void variables_are_replaced_and_defaults_apply_when_unset() {
            Map<String, String> env = Map.of("HOST", "db.internal", "DB_PASSWORD", "pw");
            Configuration c = load(env, """
                    database:
                      url: jdbc:postgresql://${HOST}:${PORT:-5432}/${DB:-app}
                      user: ${DB_USER:-observer}
                      password: ${DB_PASSWORD}
                    """);
            assertThat(setting(c, "database", "url")).isEqualTo("jdbc:postgresql://db.internal:5432/app");
            assertThat(setting(c, "database", "user")).isEqualTo("observer");
            assertThat(setting(c, "database", "password", "reveal")).isEqualTo("pw");
        }

        @Test
        void an_empty_default_is_allowed() {
            Configuration c = load(DB + "tracing: { endpoint: \"${OTLP:-}\" }");
            assertThat(setting(c, "tracing", "endpoint")).isEqualTo("");
        }

        @Test
        void variables_inside_lists_are_replaced() {
            Configuration c = load(Map.of("OPS", "ops@example.com"), observer("""
                    actions:
                      - { type: email, to: ["${OPS}", "sre@example.com"], subject: s, text: t }
                    """.indent(4)));
            assertThat(value(c.observers().getFirst().specs().getFirst(), "to"))
                    .isEqualTo(List.of("ops@example.com", "sre@example.com"));
        }

        /** A new deployment often lacks several secrets at once: one attempt names them all. */
        @Test
        void every_missing_variable_is_named_not_only_the_first() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
                    database: { url: "jdbc:postgresql://db/app", password: "${DB_PASSWORD}" }
                    observers:
                      o:
                        entity: orders
                        actions:
                          - { type: webhook, url: http://localhost/h, secret: "${HOOK_SECRET}" }
                          - { type: webhook, url: "${OTHER_HOOK:-http://localhost/other}" }
                    """));

            assertThat(e.problems()).satisfiesExactly(
                    p -> assertThat(p).startsWith("database.password uses ${DB_PASSWORD}, which is not set"),
                    p -> assertThat(p).startsWith("observers.o.actions[0].secret uses ${HOOK_SECRET}, which is not set"));
        }

        @Test
        void a_missing_variable_is_an_error_naming_the_key_and_the_variable() {
            assertThatThrownBy(() -> load(observer("""
                    actions:
                      - { type: webhook, url: http://localhost/h, secret: "${HOOK_SECRET}" }
                    """.indent(4))))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("observers.o.actions[0].secret")
                    .hasMessageContaining("HOOK_SECRET")
                    .hasMessageContaining(":-default");
        }

        /**
         * For a command that runs no action, an action with an unset variable is left unread (its other settings
         * too) and named; the observer's other actions, and every other section, are read and checked as ever.
         */
        @Test
        void without_action_secrets_an_action_with_an_unset_variable_is_left_unread() {
            String yaml = DB + """
                    observers:
                      a.b:
                        entity: orders
                        actions:
                          - { type: webhook, url: http://localhost/h }
                          - { type: slack, webhook_url: "${SLACK_URL}", text: hi }
                          - { type: webhook, url: "${HOOK_URL}", headers: { X-Key: "${KEY}" } }
                      c:
                        entity: orders
                        actions: [ { type: webhook, url: http://localhost/c } ]
                    """;
            Configuration c = new ConfigLoader(Map.of()).withoutActionSecrets().load(file(yaml), List.of());
            assertThat(c.unloadedActions()).containsExactly("observers.a.b.actions[1]", "observers.a.b.actions[2]");
            assertThat(c.observers()).extracting(Configuration.ObserverDefinition::name).containsExactly("a.b", "c");
            assertThat(c.observers().getFirst().specs()).extracting(s -> s.type()).containsExactly("webhook");
            assertThat(c.withLoadedObserversOnly().observers()).extracting(Configuration.ObserverDefinition::name)
                    .containsExactly("c");
            assertThat(c.withoutEndpoints().unloadedActions()).isEqualTo(c.unloadedActions());

            assertThat(catchThrowableOfType(ConfigException.class, () -> load(yaml)).problems()).containsExactly(
                    "observers.a.b.actions[1].webhook_url uses ${SLACK_URL}, which is not set: export SLACK_URL or "
                            + "write ${SLACK_URL:-default}",
                    "observers.a.b.actions[2].url uses ${HOOK_URL}, which is not set: export HOOK_URL or write "
                            + "${HOOK_URL:-default}",
                    "observers.a.b.actions[2].headers.X-Key uses ${KEY}, which is not set: export KEY or write "
                            + "${KEY:-default}");
            Configuration all = new ConfigLoader(Map.of("SLACK_URL", "https://hooks.example.com/x", "HOOK_URL",
                    "http://localhost/x", "KEY", "k")).withoutActionSecrets().load(file(yaml), List.of());
            assertThat(all.unloadedActions()).isEmpty();
            assertThat(all.withLoadedObserversOnly()).isSameAs(all);
        }

        /** Sections only actions read, each with an unset variable, and an observer of each adapter's actions. */
        private static final String ACTION_SECTIONS = DB + """
                email: { smtp: { host: mail.example.com, password: "${SMTP_PASSWORD}", from: a@b.c } }
                kafka: { bootstrap_servers: [ "k:9092" ], properties: { sasl.jaas.config: "${KAFKA_JAAS}" } }
                observers:
                  mail:
                    entity: orders
                    actions: [ { type: webhook, url: http://localhost/m }, { type: email, to: [o@b.c], subject: s, text: t } ]
                  stream:
                    entity: orders
                    actions: [ { type: kafka, topic: orders } ]
                  hook:
                    entity: orders
                    actions: [ { type: webhook, url: http://localhost/h } ]
                """;

        /**
         * For a command that runs no action, a section only actions read (email:, kafka:) with an unset variable is
         * left unread, as if absent, and every action of its adapter's types with it; a command that runs every
         * action still stops on the variable.
         */
        @Test
        void without_action_secrets_a_section_only_actions_read_is_left_unread_with_its_actions() {
            String yaml = ACTION_SECTIONS;
            Configuration c = new ConfigLoader(Map.of()).withoutActionSecrets().load(file(yaml), List.of());
            assertThat(c.unloadedActions()).containsExactly("observers.mail.actions[1]", "observers.stream.actions[0]");
            assertThat(c.withLoadedObserversOnly().observers()).extracting(Configuration.ObserverDefinition::name)
                    .containsExactly("hook");
            assertThat(c.adapterSettings()).extracting(s -> s.section().key() + "=" + s.value())
                    .anyMatch(s -> s.startsWith("email=") && s.contains("smtp=null"))
                    .anyMatch(s -> s.startsWith("kafka=") && s.contains("bootstrapServers=[]"));

            assertThat(catchThrowableOfType(ConfigException.class, () -> load(yaml)).problems()).satisfiesExactly(
                    p -> assertThat(p).startsWith("email.smtp.password uses ${SMTP_PASSWORD}, which is not set"),
                    p -> assertThat(p).startsWith("kafka.properties.sasl.jaas.config uses ${KAFKA_JAAS}, which is "
                            + "not set"));
        }

        /**
         * A command that runs some observers' actions (replay --observer, dlq replay) needs a section only actions
         * read when one of those observers has an action of its adapter: the webhook observer's replay loads
         * without SMTP_PASSWORD and KAFKA_JAAS (email: and kafka: left unread), the mail and Kafka observers' stop
         * naming their section's variable.
         */
        @Test
        void with_the_action_secrets_of_some_observers_a_section_is_needed_only_for_their_action_types() {
            String yaml = ACTION_SECTIONS;
            Configuration hook = new ConfigLoader(Map.of()).withActionSecretsOf(Set.of("hook")).load(file(yaml),
                    List.of());
            assertThat(hook.unloadedActions()).containsExactly("observers.mail.actions[1]", "observers.stream.actions[0]");
            assertThat(hook.withLoadedObserversOnly().observers()).extracting(Configuration.ObserverDefinition::name)
                    .containsExactly("hook");

            assertThatThrownBy(() -> new ConfigLoader(Map.of()).withActionSecretsOf(Set.of("hook", "mail"))
                    .load(file(yaml), List.of())).isInstanceOf(ConfigException.class)
                    .hasMessage("email.smtp.password uses ${SMTP_PASSWORD}, which is not set: export SMTP_PASSWORD "
                            + "or write ${SMTP_PASSWORD:-default}");
            assertThatThrownBy(() -> new ConfigLoader(Map.of("SMTP_PASSWORD", "pw"))
                    .withActionSecretsOf(Set.of("stream")).load(file(yaml), List.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("kafka.properties.").hasMessageContaining(" uses ${KAFKA_JAAS}, which is not set");
        }

        @Test
        void without_action_secrets_an_unset_variable_outside_actions_is_still_an_error() {
            assertThatThrownBy(() -> new ConfigLoader(Map.of()).withoutActionSecrets().load(file(DB
                    + "metrics: { enabled: \"${METRICS_ON}\" }\n" + observer(WEBHOOK)), List.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("metrics.enabled uses ${METRICS_ON}, which is not set");
            assertThatThrownBy(() -> new ConfigLoader(Map.of()).withoutActionSecrets().load(file(DB
                    + observer("    condition: \"${COND}\"\n" + WEBHOOK)), List.of()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("observers.o.condition uses ${COND}, which is not set");
        }
    }

    @Nested
    class Errors {

        @Test
        void an_unknown_key_names_its_full_path() {
            assertThatThrownBy(() -> load("listener: { batchsize: 10 }"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("listener.batchsize");
            assertThatThrownBy(() -> load("tracing: { batch: { max_queue: 10 } }"))
                    .hasMessageContaining("tracing.batch.max_queue");
            assertThatThrownBy(() -> load("databse: { url: x }"))
                    .hasMessageContaining("unknown configuration key databse");
            assertThatThrownBy(() -> load(observer("""
                    actions:
                      - { type: webhook, url: http://localhost/h, sekret: x }
                    """.indent(4))))
                    .hasMessageContaining("observers.o.actions[0].sekret");
            assertThatThrownBy(() -> load(observer(WEBHOOK + "    retry: { attempts: 3 }\n")))
                    .hasMessageContaining("observers.o.retry.attempts");
        }

        /** Every part is read on its own: an error in one section, observer or action hides none in the others. */
        @Test
        void the_errors_of_every_part_are_reported_together_in_the_order_read() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
                    listener: { poll_interval: soon }
                    tracing: { sample_rate: 2 }
                    databse: { url: x }
                    observers:
                      a:
                        entity: orders
                        actions:
                          - { type: webhook, url: http://localhost/h, sekret: x }
                          - { type: webhook, url: http://localhost/ok }
                          - { type: webhook }
                      b:
                        entity: orders
                        actions:
                          - { type: webhook, url: http://localhost/h }
                        retry: { attempts: 3 }
                    """));

            assertThat(e.problems()).hasSize(6);
            assertThat(e.problems().get(0)).startsWith("listener.poll_interval");
            assertThat(e.problems().get(1)).startsWith("tracing.sample_rate");
            assertThat(e.problems().get(2)).contains("observers.a.actions[0].sekret");
            assertThat(e.problems().get(3)).contains("observers.a.actions[2].url");
            assertThat(e.problems().get(4)).contains("observers.b.retry.attempts");
            assertThat(e.problems().get(5)).contains("unknown configuration key databse");
            assertThat(e).hasMessageStartingWith("6 configuration errors: (1) listener.poll_interval")
                    .hasMessageContaining("; (6) unknown configuration key databse");
        }

        /**
         * A part that stopped at an error is not checked for unknown keys: the keys it did not get to read would be
         * reported again as unknown, the missing entity spelt wrong twice.
         */
        @Test
        void a_part_that_failed_adds_no_unknown_key_errors_for_what_it_left_unread() {
            ConfigException listener = catchThrowableOfType(ConfigException.class,
                    () -> load("listener: { batch_size: many, poll_interval: 1s, max_in_flight: 10 }"));
            assertThat(listener.problems()).singleElement().asString().contains("listener.batch_size");

            ConfigException entity = catchThrowableOfType(ConfigException.class, () -> load("""
                    observers:
                      o:
                        entitiy: orders
                        actions:
                          - { type: webhook, url: http://localhost/h }
                    """));
            assertThat(entity.problems()).singleElement().asString().contains("observers.o.entity is required")
                    .contains("entitiy");
        }

        /** An observer's own settings are read each on its own too: a bad retry hides neither ordering nor on. */
        @Test
        void every_bad_setting_of_one_observer_is_named_retry_key_by_retry_key() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(observer(WEBHOOK + """
                    on: [upserted]
                    retry: { initial_backoff: later, max_attempts: 0 }
                    ordering: sometimes
                    """.indent(4))));

            assertThat(e.problems()).hasSize(4);
            assertThat(e.problems().get(0)).startsWith("observers.o.on");
            assertThat(e.problems().get(1)).startsWith("observers.o.retry.initial_backoff");
            assertThat(e.problems().get(2)).startsWith("observers.o.retry.max_attempts");
            assertThat(e.problems().get(3)).startsWith("observers.o.ordering");
        }

        /** Each key of listener: is read on its own: one start names every bad value, not the first alone. */
        @Test
        void every_bad_listener_key_is_named_in_one_start() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(DB + """
                    listener:
                      batch_size: 0
                      poll_interval: often
                      max_in_flight: many
                      park_after: 1ms
                      max_pending_bytes: lots
                      deduplicate: maybe
                    """ + observer(WEBHOOK)));

            assertThat(e.problems()).hasSize(6);
            assertThat(e.problems().get(0)).startsWith("listener.batch_size must be between 1 and 100000");
            assertThat(e.problems().get(1)).startsWith("listener.poll_interval");
            assertThat(e.problems().get(2)).startsWith("listener.max_in_flight must be a whole number");
            assertThat(e.problems().get(3)).startsWith("listener.park_after must be between");
            assertThat(e.problems().get(4)).startsWith("listener.max_pending_bytes");
            assertThat(e.problems().get(5)).startsWith("listener.deduplicate must be true or false");
        }

        /**
         * The flags and variables that cannot be applied are named together, and before the keys are read: the file's
         * own errors, which a flag may have meant to fix, wait for the next attempt.
         */
        @Test
        void every_flag_and_variable_that_cannot_be_applied_is_named_before_the_keys_are_read() {
            String yaml = DB + observer(WEBHOOK + "    ordering: sometimes\n");
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(
                    Map.of("JAEGER_ENDPOINT", "jaeger:14268"), yaml,
                    "tracing.exporter", "observers.o.actions[3].url=http://localhost:9000/3"));

            assertThat(e.problems()).hasSize(3);
            assertThat(e.problems().get(0)).contains("JAEGER_ENDPOINT");
            assertThat(e.problems().get(1)).startsWith("--set 'tracing.exporter' must be key.path=value");
            assertThat(e.problems().get(2)).startsWith("--set observers.o.actions[3].url: actions lists 1 item(s)");
        }

        @Test
        void a_single_error_reads_as_it_always_did() {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("listener: { batchsize: 10 }"));

            assertThat(e.problems()).containsExactly(e.getMessage());
            assertThat(e).hasMessageStartingWith("unknown configuration key listener.batchsize");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                listener: { poll_interval: soon }                | listener.poll_interval
                listener: { poll_interval: 0s }                  | listener.poll_interval
                listener: { batch_size: -1 }                     | listener.batch_size
                listener: { batch_size: many }                   | listener.batch_size
                listener: { max_in_flight: 0 }                   | listener.max_in_flight
                listener: { consumer: 'a b' }                    | listener.consumer
                listener: { retention: 0s }                      | listener.retention
                listener: { deduplicate: maybe }                 | listener.deduplicate
                listener: { capture_check_interval: 0s }         | listener.capture_check_interval
                listener: { capture_check_interval: soon }       | listener.capture_check_interval
                tracing: { sample_rate: 2 }                      | tracing.sample_rate
                tracing: { sample_rate: half }                   | tracing.sample_rate
                tracing: { exporter: datadog }                   | tracing.exporter
                tracing: { protocol: thrift }                    | tracing.protocol
                tracing: { enabled: sometimes }                  | tracing.enabled
                tracing: { kinds: [upserted] }                   | tracing.kinds
                tracing: { batch: { max_export_batch_size: 4096 } } | tracing.batch.max_export_batch_size
                tracing: { components: { listener: perhaps } }   | tracing.components.listener
                metrics: { port: 70000 }                         | metrics.port
                admin: { port: -2 }                              | admin.port
                actions: { read_timeout: 5 parsecs }             | actions.read_timeout
                email: { smtp: { host: mail } }                  | email.smtp.from
                email: { smtp: { host: m, from: a@b.c, security: tls } } | email.smtp.security
                email: { smtp: { host: m, from: "<<bad" } }      | email.smtp.from: '<<bad' is not a valid address
                database: { url: 'mysql://localhost/app' }       | database.url
                """)
        void an_invalid_value_names_its_key(String yaml, String key) {
            assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(key);
        }

        /** Zero, negative or absurd durations stop the boot naming the key, the range and the value given. */
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                listener: { poll_interval: 0s }           | listener.poll_interval must be between 10ms and 10m (e.g. 1s), was 0s
                listener: { poll_interval: 2h }           | listener.poll_interval must be between 10ms and 10m (e.g. 1s), was 2h
                listener: { checkpoint_interval: PT-1S }  | listener.checkpoint_interval must be between 0s and 1m (e.g. 200ms; 0s saves at every move), was -1s
                listener: { checkpoint_interval: 10m }    | listener.checkpoint_interval must be between 0s and 1m (e.g. 200ms; 0s saves at every move), was 10m
                listener: { retention: 0s }               | listener.retention must be between 1s and 3650d (e.g. 7d, or leave it out to keep rows), was 0s
                listener: { retention: 36500d }           | listener.retention must be between 1s and 3650d (e.g. 7d, or leave it out to keep rows), was 36500d
                listener: { park_after: 0s }              | listener.park_after must be between 1s and 24h (e.g. 30s), was 0s
                listener: { park_after: 7d }              | listener.park_after must be between 1s and 24h (e.g. 30s), was 7d
                tracing: { batch: { schedule_delay: 0s } } | tracing.batch.schedule_delay must be between 10ms and 1m (e.g. 5s), was 0s
                tracing: { batch: { schedule_delay: 1h } } | tracing.batch.schedule_delay must be between 10ms and 1m (e.g. 5s), was 1h
                console: { window: 2h }                   | console.window must be between 10s and 1h (e.g. 5m), was 2h
                """)
        void a_value_out_of_bounds_names_the_key_the_range_and_the_value(String yaml, String message) {
            assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                    retry: { initial_backoff: 0s }              | observers.o.retry.initial_backoff must be between 10ms and 1h (e.g. 1s), was 0s
                    retry: { initial_backoff: 2h, max_backoff: 3h } | observers.o.retry.initial_backoff must be between 10ms and 1h (e.g. 1s), was 2h
                    retry: { max_backoff: 2d }                  | observers.o.retry.max_backoff must be between 10ms and 24h (e.g. 1m), was 2d
                    retry: { multiplier: 50 }                   | observers.o.retry.multiplier must be between 1 and 10 (e.g. 2), was 50.0
                """)
        void a_retry_out_of_bounds_names_the_key_the_range_and_the_value(String line, String message) {
            assertThatThrownBy(() -> load(observer("    " + line.strip() + "\n" + WEBHOOK)))
                    .isInstanceOf(ConfigException.class).hasMessage(message);
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                    on: [upserted]                               | observers.o.on
                    on: [created]                                | observers.o.actions
                    retry: { max_attempts: 0 }                   | observers.o.retry
                    retry: { initial_backoff: 1m, max_backoff: 1s } | observers.o.retry
                    retry: { initial_backoff: later }            | observers.o.retry.initial_backoff
                """)
        void an_invalid_observer_value_names_its_key(String line, String key) {
            String body = "    " + line.strip() + "\n" + (key.endsWith("actions") ? "" : WEBHOOK);
            assertThatThrownBy(() -> load(observer(body))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key);
        }

        /** A REST receiver's URL names the row; the host stays fixed, checked at the start, and shown as one. */
        @Test
        void a_webhook_url_may_template_its_path_and_query() {
            Configuration c = load(DB + observer("""
                    actions:
                      - { type: webhook, method: put, url: 'https://u:pw@api.example.com:8443/orders/{{event.entity_id}}?t={{after.tenant}}' }
                    """.indent(4)));
            Object webhook = c.observers().getFirst().specs().getFirst();
            assertThat(value(webhook, "url").toString()).isEqualTo("https://u:pw@api.example.com:8443");
            assertThat(value(webhook, "pathTemplate")).isEqualTo("/orders/{{event.entity_id}}?t={{after.tenant}}");
            assertThat(webhook.toString())
                    .isEqualTo("webhook PUT https://api.example.com:8443/orders/{{event.entity_id}}");
            assertThat(EffectiveConfig.render(c))
                    .contains("url: \"https://api.example.com:8443/orders/{{event.entity_id}}\"")
                    .doesNotContain("pw", "t={{");
        }

        /**
         * A body's shape as written: numbers, booleans and nulls typed, variables expanded, and in check-config every
         * text masked but a lone tag, since a body may carry an API key (PagerDuty's routing_key).
         */
        @Test
        void a_webhook_body_is_read_as_written_and_its_texts_are_masked() {
            Configuration c = load(Map.of("PD_KEY", "r0uting-key-from-env"), DB + observer("""
                    actions:
                      - type: webhook
                        url: https://events.example.com/v2/enqueue
                        body:
                          routing_key: ${PD_KEY}
                          event_action: trigger
                          payload:
                            summary: "Order {{after.id}} failed"
                            severity: critical
                            custom_details: "{{after}}"
                            retries: 3
                            amount: 12.5
                            paged: false
                            links: [ "{{after.url}}", null ]
                    """.indent(4)));
            Object webhook = c.observers().getFirst().specs().getFirst();
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("summary", "Order {{after.id}} failed");
            payload.put("severity", "critical");
            payload.put("custom_details", "{{after}}");
            payload.put("retries", 3L);
            payload.put("amount", new java.math.BigDecimal("12.5"));
            payload.put("paged", false);
            payload.put("links", java.util.Arrays.asList("{{after.url}}", null));
            assertThat(value(webhook, "body")).isEqualTo(Map.of("routing_key", "r0uting-key-from-env",
                    "event_action", "trigger", "payload", payload));
            assertThat(EffectiveConfig.render(c))
                    .contains("custom_details: \"{{after}}\"", "retries: 3", "paged: false", "- \"{{after.url}}\"")
                    .doesNotContain("r0uting", "critical", "failed");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                { type: sms, to: '+1555' }                            | observers.o.actions[0].type |
                { type: webhook }                                     | observers.o.actions[0].url |
                { type: webhook, url: 'ftp://files.example.com/x' }   | observers.o.actions[0].url uses ftp://: webhook and Slack requests are sent over http:// or https:// |
                { type: slack, token: xoxb-1, channel: o, text: hi, api_url: 'ftp://h/api' } | observers.o.actions[0].api_url uses ftp://: webhook and Slack |
                { type: webhook, url: 'not a url' }                   | observers.o.actions[0].url |
                { type: webhook, url: 'https://{{after.tenant}}.example.com/x' } | observers.o.actions[0].url: a template tag ({{...}}) may stand only in the path or the query, after the host |
                { type: webhook, url: 'http://h/x', timeout: forever } | observers.o.actions[0].timeout |
                { type: webhook, url: 'http://h/x', timeout: 0s }     | observers.o.actions[0].timeout must be between 100ms and 10m (e.g. 10s), was 0s |
                { type: webhook, url: 'http://h/x', timeout: 1h }     | observers.o.actions[0].timeout must be between 100ms and 10m (e.g. 10s), was 1h |
                { type: webhook, method: get, url: 'http://h/x', body: '{{after}}' } | observers.o.actions[0] | body is sent with POST, PUT, PATCH or DELETE; a GET sends no body
                { type: webhook, url: 'http://h/x', body: { a: 1 }, body_format: xml } | observers.o.actions[0].body_format must be json (the default) or form |
                { type: webhook, url: 'http://h/x', body: '{{after}}', body_format: form } | observers.o.actions[0] | body_format: form sends the body as form fields: set body to a mapping
                { type: slack, text: hi }                             | observers.o.actions[0] | set exactly one of webhook_url (an incoming webhook) and token
                { type: slack, token: xoxb-1, text: hi }              | observers.o.actions[0] | channel must be set with token
                { type: slack, webhook_url: 'https://h/x' }           | observers.o.actions[0] | text must be set
                { type: email, to: [ops@example.com], text: t }       | observers.o.actions[0] | subject must be set
                { type: email, to: [ops@example.com], subject: s }    | observers.o.actions[0] | set template (a file name), text or html
                { type: email, subject: s, text: t }                  | observers.o.actions[0] | to must list at least one recipient
                { type: email, to: [nobody], subject: s, text: t }    | observers.o.actions[0] | to: 'nobody' is not an email address
                """)
        void an_invalid_action_names_the_action_the_key_and_the_fix(String action, String key, String fix) {
            String body = "    actions:\n      - " + action + "\n";
            var thrown = assertThatThrownBy(() -> load(observer(body))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key);
            if (fix != null) {
                // The adapter that owns the type says what is wrong and how to fix it; the core adds the path.
                thrown.hasMessageContaining(key + ": " + fix);
            }
        }

        @Test
        void an_observer_without_entity_names_the_key() {
            assertThatThrownBy(() -> load("observers:\n  o:\n" + WEBHOOK))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("observers.o.entity");
        }

        @Test
        void invalid_yaml_says_where() {
            assertThatThrownBy(() -> load("listener: {batch_size: 10\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("not valid YAML").hasMessageContaining("line");
        }

        @Test
        void invalid_yaml_is_one_line_naming_the_line_and_column_of_the_problem() {
            assertThatThrownBy(() -> inline("database: [unclosed"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("inline configuration is not valid YAML at line 1, column 20: expected ',' or ']', but "
                            + "got <stream end> (while parsing a flow sequence at line 1, column 11)");
            assertThatThrownBy(() -> inline("listener:\n  batch_size: 10\n   consumer: x\n"))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("inline configuration is not valid YAML at line 3, column 12: ")
                    .hasMessageNotContaining("\n");
        }

        @ParameterizedTest(name = "{1}")
        @CsvSource(delimiter = '|', textBlock = """
                observers:\\n  o:\\n    entity: public.orders\\n    entity: public.invoices\\n | observers.o.entity | 4
                database:\\n  url: jdbc:postgresql://h/db\\n  password: a\\n  password: b\\n | database.password | 4
                listener: { batch_size: 5, batch_size: 6 }                                   | listener.batch_size | 1
                observers:\\n  o:\\n    actions:\\n      - { type: webhook, url: x, url: y }\\n | observers.o.actions[0].url | 4
                """)
        void a_key_given_twice_is_an_error_naming_the_key_and_its_line(String yaml, String key, int line) {
            assertThatThrownBy(() -> inline(yaml.replace("\\n", "\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("inline configuration gives " + key + " twice at line " + line + ", column ")
                    .hasMessageEndingWith(": keep one (YAML keys are unique in their mapping, and the last would "
                            + "silently win)")
                    .as("the second value is not echoed").hasMessageNotContaining("invoices");
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                bogus   | bogus
                ' DEBG' | DEBG
                all     | all
                """)
        void a_log_level_that_is_none_names_the_variable_the_value_and_the_levels(String value, String shown) {
            assertThatThrownBy(() -> new ConfigLoader(Map.of("PGOBSERVER_LOG_LEVEL", value)).loadYaml(""))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("PGOBSERVER_LOG_LEVEL is '" + shown + "', which is not a log level: use one of TRACE, "
                            + "DEBUG, INFO, WARN, ERROR (or unset it for INFO)");
        }

        @ParameterizedTest(name = "[{index}] '{0}'")
        @CsvSource(delimiter = '|', textBlock = """
                DEBUG
                warn
                ' Info '
                ''
                """)
        void a_documented_log_level_or_a_blank_one_is_accepted(String value) {
            assertThat(new ConfigLoader(Map.of("PGOBSERVER_LOG_LEVEL", value == null ? "" : value)).loadYaml("")
                    .listener()).isNotNull();
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', textBlock = """
                xml      | xml
                ' jsonl' | jsonl
                """)
        void a_log_format_that_is_none_names_the_variable_the_value_and_the_formats(String value, String shown) {
            assertThatThrownBy(() -> new ConfigLoader(Map.of("PGOBSERVER_LOG_FORMAT", value)).loadYaml(""))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("PGOBSERVER_LOG_FORMAT is '" + shown + "', which is not a log format: use one of "
                            + "text, json (or unset it for text)");
        }

        @ParameterizedTest(name = "[{index}] '{0}'")
        @CsvSource(delimiter = '|', textBlock = """
                json   | json
                ' JSON'| json
                text   | text
                ''     | text
                """)
        void a_log_format_in_any_case_or_a_blank_one_is_accepted(String value, String format) {
            Map<String, String> env = Map.of("PGOBSERVER_LOG_FORMAT", value == null ? "" : value);
            assertThat(new ConfigLoader(env).loadYaml("").listener()).isNotNull();
            assertThat(LogFormatVariable.of(env)).isEqualTo(format);
        }

        @Test
        void a_mapping_where_a_value_belongs_names_the_key() {
            assertThatThrownBy(() -> load("tracing: { service_name: { a: b } }"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.service_name");
            assertThatThrownBy(() -> load("listener: 5"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("listener");
        }
    }

    @Nested
    class Values {

        @Test
        void durations_take_units_fractions_and_iso_8601() {
            Configuration c = load("listener: { poll_interval: 1.5s, checkpoint_interval: 250ms, retention: 7d }\n"
                    + "tracing: { batch: { schedule_delay: PT2S } }");
            assertThat(c.listener().pollInterval()).isEqualTo(Duration.ofMillis(1500));
            assertThat(c.listener().checkpointInterval()).isEqualTo(Duration.ofMillis(250));
            assertThat(c.listener().retention()).isEqualTo(Duration.ofDays(7));
            assertThat(setting(c, "tracing", "batch", "scheduleDelay")).isEqualTo(Duration.ofSeconds(2));
        }

        @Test
        void lists_may_be_comma_separated_and_kinds_accept_sql_names() {
            Configuration c = load(observer("    on: insert, UPDATE\n" + WEBHOOK)
                    + "tracing: { entities: [orders, billing.invoices], kinds: deleted }");
            assertThat(c.observers().getFirst().on()).containsExactlyInAnyOrder(ChangeKind.CREATED, ChangeKind.UPDATED);
            assertThat(c.tracing().entities()).containsExactlyInAnyOrder("public.orders", "billing.invoices");
            assertThat(c.tracing().kinds()).containsExactly(ChangeKind.DELETED);
        }

        @Test
        void components_can_be_switched_off_one_by_one() {
            Configuration c = load("tracing: { components: { cache: false, dlq: no } }");
            assertThat(c.tracing().components()).containsExactlyInAnyOrder(Tracer.Component.LISTENER,
                    Tracer.Component.EXECUTOR);
        }

        @Test
        void slack_takes_a_webhook_url_or_a_token_with_a_channel() {
            Configuration c = load(observer("""
                    actions:
                      - { type: slack, webhook_url: "https://hooks.slack.com/services/T/B/x", text: "hi {{after.id}}" }
                      - { type: slack, token: xoxb-1, channel: "#orders", text: hi, thread_ts: "{{after.thread}}" }
                    """.indent(4)));
            List<?> actions = c.observers().getFirst().specs();
            assertThat((java.net.URI) value(actions.get(0), "webhookUrl")).hasHost("hooks.slack.com");
            Object bot = actions.get(1);
            assertThat(((io.pgobserver.domain.observer.Secret) value(bot, "token")).reveal()).isEqualTo("xoxb-1");
            assertThat(value(bot, "apiUrl")).hasToString("https://slack.com/api");
        }
    }

    @Nested
    class Environment {

        @Test
        void qualify_adds_public_only_without_a_schema() {
            assertThat(TableName.qualify("orders")).isEqualTo("public.orders");
            assertThat(TableName.qualify(" sales.orders ")).isEqualTo("sales.orders");
            assertThat(TableName.qualify("a.b.c")).isEqualTo("a.b.c");
        }

        @Test
        void database_url_in_postgres_form_becomes_jdbc_user_and_password() {
            Configuration c = load(Map.of("DATABASE_URL", "postgres://user:p%40ss@host:5433/db?sslmode=require"),
                    "database: { url: jdbc:postgresql://ignored/x, user: other, password: other }");
            assertThat(setting(c, "database", "url")).isEqualTo("jdbc:postgresql://host:5433/db?sslmode=require");
            assertThat(setting(c, "database", "user")).isEqualTo("user");
            assertThat(setting(c, "database", "password", "reveal")).isEqualTo("p@ss");
        }

        @Test
        void database_url_keeps_a_plus_in_the_password() {
            Configuration c = load(Map.of("DATABASE_URL", "postgres://user:a+b%2Bc@host/db"), "");
            assertThat(setting(c, "database", "password", "reveal")).isEqualTo("a+b+c");
        }

        @Test
        void database_url_without_credentials_keeps_the_files_user_and_password() {
            Configuration c = load(Map.of("DATABASE_URL", "postgresql://db.internal/shop"),
                    "database: { user: app, password: pw }");
            assertThat(setting(c, "database", "url")).isEqualTo("jdbc:postgresql://db.internal/shop");
            assertThat(setting(c, "database", "user")).isEqualTo("app");
            assertThat(setting(c, "database", "password", "reveal")).isEqualTo("pw");
        }

        @Test
        void database_url_in_jdbc_form_is_taken_as_it_is() {
            Configuration c = load(Map.of("DATABASE_URL", "jdbc:postgresql://h:5432/d"), "");
            assertThat(setting(c, "database", "url")).isEqualTo("jdbc:postgresql://h:5432/d");
        }

        @Test
        void a_bad_database_url_does_not_echo_the_password() {
            assertThatThrownBy(() -> load(Map.of("DATABASE_URL", "postgres://u:sup3rs3cret@/db"), ""))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("database.url")
                    .hasMessageNotContaining("sup3rs3cret");
        }

        @Test
        void otel_variables_go_to_the_sdk_as_they_are_and_an_exporter_setting_switches_tracing_on() {
            Map<String, String> env = Map.of("OTEL_SERVICE_NAME", "billing-observer",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "https://host/otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                    "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=k3y", "PATH", "/bin");
            Configuration c = load(env, "tracing: { service_name: from-file }");
            assertThat(c.tracing().enabled()).isTrue();
            // The file's keys stay the file's: the SDK reads the variables over them.
            assertThat(setting(c, "tracing", "serviceName")).isEqualTo("from-file");
            assertThat((Map<String, ?>) setting(c, "tracing", "environment")).containsOnlyKeys("OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS");
            assertThat(EffectiveConfig.render(c)).contains("OTEL_EXPORTER_OTLP_ENDPOINT: https://host/otlp")
                    .contains("OTEL_SERVICE_NAME: billing-observer").doesNotContain("k3y");

            assertThat(load(Map.of("OTEL_SERVICE_NAME", "x"), "").tracing().enabled())
                    .as("a service name is no exporter setting").isFalse();
            assertThat(load(Map.of("OTEL_TRACES_EXPORTER", "none"), "").tracing().enabled()).isFalse();
            assertThat(load(Map.of("OTEL_TRACES_EXPORTER", "zipkin", "TRACING_ENABLED", "false"), "")
                    .tracing().enabled()).as("TRACING_ENABLED says it outright").isFalse();
        }

        @Test
        void tracing_only_errors_from_the_file_and_the_environment() {
            assertThat(setting(load("tracing: { only_errors: true }"), "tracing", "onlyErrors")).isEqualTo(true);
            assertThat(setting(load(Map.of("TRACING_ONLY_ERRORS", "true"), ""), "tracing", "onlyErrors")).isEqualTo(true);
            assertThatThrownBy(() -> load("tracing: { only_errors: maybe }")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("tracing.only_errors");
        }

        @Test
        void a_jaeger_thrift_collector_endpoint_becomes_otlp_http_on_4318_with_one_warning() {
            Configuration c = load(Map.of("JAEGER_ENDPOINT", "http://jaeger:14268/api/traces", "TRACING_ENABLED", "true"),
                    "");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("jaeger");
            assertThat(setting(c, "tracing", "endpoint")).isEqualTo("http://jaeger:4318");
            assertThat(setting(c, "tracing", "protocol")).isEqualTo("http/protobuf");
            assertThat(c.warnings()).singleElement().asString().contains("JAEGER_ENDPOINT", "Thrift",
                    "tracing.endpoint: http://jaeger:4318", "OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");

            Configuration file = load("tracing: { enabled: true, endpoint: \"https://u:p@collector/api/traces\" }");
            assertThat(setting(file, "tracing", "endpoint")).isEqualTo("https://collector:4318");
            assertThat(file.warnings()).singleElement().asString().contains("tracing.endpoint").doesNotContain("u:p");

            assertThatThrownBy(() -> load(Map.of("JAEGER_ENDPOINT", "jaeger:14268"), ""))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("JAEGER_ENDPOINT")
                    .hasMessageContaining("http://jaeger:4318");
        }

        @Test
        void an_endpoint_while_tracing_is_off_is_a_warning_naming_the_switch() {
            assertThat(load(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411"), "").warnings()).singleElement()
                    .asString().contains("tracing.enabled: true", "TRACING_ENABLED=true");
        }

        @Test
        void jaeger_sample_rate_wins_over_tracing_sample_rate() {
            Configuration c = load(Map.of("TRACING_SAMPLE_RATE", "0.1", "JAEGER_SAMPLE_RATE", "0.2"), "");
            assertThat(setting(c, "tracing", "sampleRate")).isEqualTo(0.2);
        }

        @Test
        void otel_sdk_disabled_turns_tracing_off_whatever_else_says() {
            Configuration c = load(Map.of("OTEL_SDK_DISABLED", "true", "TRACING_ENABLED", "true"),
                    "tracing: { enabled: true }", "tracing.enabled=true");
            // --set is applied last: a flag still wins, as flags always do.
            assertThat(c.tracing().enabled()).isTrue();
            Configuration noFlag = load(Map.of("OTEL_SDK_DISABLED", "TRUE", "TRACING_ENABLED", "true"),
                    "tracing: { enabled: true }");
            assertThat(noFlag.tracing().enabled()).isFalse();
            assertThat(noFlag.tracingActive()).isFalse();
            assertThat(load(Map.of("OTEL_SDK_DISABLED", "false"), "tracing: { enabled: true }").tracing().enabled())
                    .isTrue();
            assertThat(noFlag.metrics().enabled()).isFalse();
        }

        @Test
        void tracing_enabled_false_turns_tracing_off() {
            assertThat(load(Map.of("TRACING_ENABLED", "false"), "").tracingActive()).isFalse();
        }

        @Test
        void jaeger_agent_host_maps_to_otlp_grpc_on_4317_with_one_warning() {
            Configuration c = load(Map.of("JAEGER_AGENT_HOST", "jaeger", "JAEGER_AGENT_PORT", "6831",
                    "TRACING_ENABLED", "true"), "tracing: { protocol: http/protobuf }");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("jaeger");
            assertThat(setting(c, "tracing", "endpoint")).isEqualTo("http://jaeger:4317");
            assertThat(setting(c, "tracing", "protocol")).isEqualTo("grpc");
            assertThat(c.warnings()).hasSize(1);
            assertThat(c.warnings().getFirst()).contains("JAEGER_AGENT_HOST", "http://jaeger:4317", "6831");
        }

        @Test
        void jaeger_endpoint_wins_over_the_agent_and_gives_no_warning() {
            Configuration c = load(Map.of("JAEGER_AGENT_HOST", "old", "JAEGER_ENDPOINT", "http://jaeger:4317",
                    "TRACING_ENABLED", "true"), "");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("jaeger");
            assertThat(setting(c, "tracing", "endpoint")).isEqualTo("http://jaeger:4317");
            assertThat(c.warnings()).isEmpty();
        }

        @Test
        void zipkin_endpoint_chooses_the_zipkin_exporter() {
            Configuration c = load(Map.of("ZIPKIN_ENDPOINT", "http://zipkin:9411/api/v2/spans"),
                    "tracing: { exporter: otlp, endpoint: http://collector:4317 }");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("zipkin");
            assertThat(setting(c, "tracing", "endpoint")).isEqualTo("http://zipkin:9411/api/v2/spans");
        }

        @Test
        void a_bad_value_from_the_environment_names_the_key_it_sets() {
            assertThatThrownBy(() -> load(Map.of("TRACING_SAMPLE_RATE", "lots"), ""))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sample_rate");
            assertThatThrownBy(() -> load(Map.of("TRACING_EXPORTER", "datadog"), ""))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.exporter");
        }

        @Test
        void blank_variables_count_as_unset() {
            Configuration c = load(Map.of("TRACING_EXPORTER", " ", "DATABASE_URL", ""), "tracing: { exporter: console }");
            assertThat(setting(c, "tracing", "exporter")).isEqualTo("console");
            assertThat(setting(c, "database")).isNull();
        }

        @Test
        void every_variable_read_is_listed() {
            assertThat(EnvironmentOverrides.VARIABLES).doesNotHaveDuplicates().contains("OTEL_SDK_DISABLED");
            assertThat(ConfigSchema.classPath().variables()).as("the tracing adapter's own")
                    .contains("ZIPKIN_ENDPOINT", "JAEGER_AGENT_PORT", "TRACING_EXPORTER");
        }
    }

    @Nested
    class Masking {

        private static final Map<String, String> SECRETS = Map.of(
                "DB_PASSWORD", "db-pa55word",
                "HOOK_SECRET", "whsec_aG9va3NlY3JldA==",
                "SLACK_URL", "https://hooks.slack.com/services/T000/B000/slacksecretpath",
                "SLACK_TOKEN", "xoxb-slack-token-value",
                "SMTP_PASSWORD", "smtp-pa55word",
                "API_KEY", "header-api-key-value");

        @Test
        void render_masks_passwords_secrets_tokens_slack_urls_url_credentials_and_query_strings() {
            Configuration c = load(SECRETS, """
                    database:
                      url: jdbc:postgresql://db:5432/app?password=jdbcquerypw&ssl=true
                      user: app
                      password: ${DB_PASSWORD}
                    tracing:
                      endpoint: https://tracinguser:tracingpw@collector.example.com:4318/v1/traces?apikey=tracingkey
                    email:
                      smtp: { host: mail.example.com, user: mailer, password: "${SMTP_PASSWORD}", from: a@example.com }
                    observers:
                      o:
                        entity: orders
                        actions:
                          - type: webhook
                            url: https://hookuser:hookpw@hooks.example.com/orders?token=hooktoken
                            secret: ${HOOK_SECRET}
                            headers: { X-Api-Key: "${API_KEY}" }
                          - { type: slack, webhook_url: "${SLACK_URL}", text: hi }
                          - { type: slack, token: "${SLACK_TOKEN}", channel: "#o", text: hi,
                              api_url: "https://apiuser:apipw@slack.internal/api?key=apikey" }
                    """);
            String out = EffectiveConfig.render(c);
            for (String secret : List.of("db-pa55word", "jdbcquerypw", "tracinguser", "tracingpw", "tracingkey",
                    "smtp-pa55word", "hookuser", "hookpw", "hooktoken", "aG9va3NlY3JldA", "header-api-key-value",
                    "slacksecretpath", "xoxb-slack-token-value", "apiuser", "apipw", "apikey")) {
                assertThat(out).as("rendered configuration leaks %s", secret).doesNotContain(secret);
            }
            assertThat(out).contains("jdbc:postgresql://db:5432/app?****", "https://collector.example.com:4318/v1/traces",
                    "https://hooks.example.com/orders", "https://slack.internal/api", "user: app", "user: mailer");
        }

        @Test
        void render_is_stable_and_parses_back_as_yaml() {
            String yaml = DB + observer(WEBHOOK);
            String first = EffectiveConfig.render(load(yaml));
            assertThat(EffectiveConfig.render(load(yaml))).isEqualTo(first);
            assertThat(first).contains("batch_size: 500", "max_in_flight: 256", "entity: public.orders");
        }

        @Test
        void secret_values_never_appear_in_error_messages() {
            assertThatThrownBy(() -> load(Map.of("SLACK_URL", "https://hooks.slack.com/services/T/B/leak me"),
                    observer("    actions:\n      - { type: slack, webhook_url: \"${SLACK_URL}\", text: hi }\n")))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("observers.o.actions[0].webhook_url")
                    .hasMessageNotContaining("leak");
        }
    }

    /**
     * A value of an adapter's section, through its record accessors: the settings records are package-private in
     * their adapters, so the core (and this test) reach them only as the section's value.
     */
    static Object setting(Configuration c, String section, String... accessors) {
        return value(c.section(section), accessors);
    }

    /** A value of an adapter's settings record (package-private in its adapter, which the core never names). */
    static Object value(Object record, String... accessors) {
        Object value = record;
        try {
            for (String accessor : accessors) {
                java.lang.reflect.Method method = value.getClass().getMethod(accessor);
                method.setAccessible(true);
                value = method.invoke(value);
            }
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no " + String.join(".", accessors) + " in " + record.getClass().getName(), e);
        }
        return value;
    }
}
