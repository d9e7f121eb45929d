package io.pgobserver.bootstrap.faults;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN.md §4: secrets never appear in logs, spans, {@code check-config} output or exception messages. The jar
 * runs with a configuration full of distinctive secrets (database password from the environment and in the JDBC
 * URL, webhook URL credentials and query token, webhook signing secret and header token, Slack incoming-webhook
 * path and bot token, SMTP password, OTLP header) at DEBUG level, with every action failing so that error paths
 * and dead letters are exercised; then every byte it printed, every span it exported and every dead letter's
 * error is searched for each secret.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecretsMaskedIT {

    private static final String SIGNING_KEY = Base64.getEncoder().encodeToString(
            "SECRETsigningKEYbytes".getBytes(StandardCharsets.US_ASCII));
    private static final List<String> SECRETS = List.of("SECRET-db-password", "SECRET-jdbc-query-password",
            "SECRET-url-password", "SECRET-query-token", SIGNING_KEY.substring(0, 20), "SECRET-header-token",
            "SECRETslackpath", "xoxb-SECRET-slack-token", "SECRET-smtp-password", "SECRET-otlp-key");

    private Path work;
    private FaultSupport.Postgres postgres;
    private WebhookReceiver hooks;
    private TraceBackend traces;
    private ObserverProcess observer;

    @AfterEach
    void tearDown() throws Exception {
        FaultSupport.closeAll(work, observer, hooks, traces, postgres);
    }

    @Test
    void no_secret_reaches_output_spans_or_dead_letters() throws Exception {
        work = Files.createTempDirectory("pgobserver-secrets");
        postgres = new FaultSupport.Postgres(work.resolve("pgdata")).start();
        hooks = WebhookReceiver.start();
        hooks.mode(WebhookReceiver.Mode.ERROR_5XX);
        traces = TraceBackend.start();
        traces.keepBodies();
        int closed = FaultSupport.freePort();
        try (Connection c = postgres.connect("secrets"); Statement s = c.createStatement()) {
            s.execute("create table public.accounts (id bigserial primary key, name text)");
        }
        String hookUrl = hooks.url("/hook").replace("http://", "http://hookuser:SECRET-url-password@")
                + "?token=SECRET-query-token";
        Path config = work.resolve("pg-observer.yaml");
        Files.writeString(config, """
                database:
                  url: "%s?password=SECRET-jdbc-query-password"
                  user: postgres
                  password: ${DB_PASSWORD}
                listener: { consumer: secrets, poll_interval: 200ms, checkpoint_interval: 100ms }
                tracing:
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  headers: { x-api-key: SECRET-otlp-key }
                  batch: { schedule_delay: 200ms }
                metrics: { enabled: false }
                admin: { port: -1 }
                actions:
                  connect_timeout: 1s
                  read_timeout: 1s
                  smtp: { host: 127.0.0.1, port: %d, user: mailer, password: SECRET-smtp-password, security: none,
                          from: observer@example.com, timeout: 1s }
                observers:
                  everything:
                    entity: public.accounts
                    actions:
                      - { type: webhook, url: "%s", secret: "whsec_%s",
                          headers: { Authorization: "Bearer SECRET-header-token" } }
                      - { type: slack, webhook_url: "http://127.0.0.1:%d/services/T0/B0/SECRETslackpath", text: "hi" }
                      - { type: slack, token: xoxb-SECRET-slack-token, api_url: "%s", channel: "#ops", text: "hi" }
                      - { type: email, to: [ops@example.com], subject: "s", text: "t" }
                    retry: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 20ms }
                """.formatted(postgres.jdbcUrl(), traces.endpoint(), closed, hookUrl, SIGNING_KEY, closed,
                hooks.url("/slack/api")));
        Map<String, String> env = Map.of("DB_PASSWORD", "SECRET-db-password", "PGOBSERVER_LOG_LEVEL", "DEBUG");
        Path log = Path.of("target", "secrets-observer.log");
        Files.deleteIfExists(log);

        ObserverProcess check = ObserverProcess.start("check-config", log, env, "check-config", "--config",
                config.toString(), "--verbose");
        assertThat(check.waitFor(120)).as(check.output()).isZero();
        assertThat(check.output()).contains("password: '****'").contains("# configuration is valid");
        assertNoSecret("check-config output", check.output());

        observer = ObserverProcess.start("run", log, env, "run", "--config", config.toString());
        await("the observer to become active", Duration.ofMinutes(2),
                () -> observer.lastLine("consumer 'secrets' active") > 0 || !observer.isAlive());
        assertThat(observer.isAlive()).as(observer.output()).isTrue();
        try (Connection c = postgres.connect("secrets"); Statement s = c.createStatement()) {
            s.execute("create trigger pgobserver_capture after insert or update or delete on public.accounts "
                    + "for each row execute function pgobserver.capture('id')");
            s.execute("insert into public.accounts (name) values ('a'), ('b')");
        }
        await("every event dead-lettered and passed", Duration.ofMinutes(2),
                () -> FaultSupport.uncovered(postgres, "secrets") == 0 && deadLetterErrors().split("\n").length >= 8);
        assertThat(observer.stop()).as("clean stop").isNotEqualTo(-1);

        assertThat(hooks.requestCount()).as("the webhook was called").isPositive();
        assertThat(traces.exportCount()).as("spans were exported").isPositive();
        assertThat(new String(traces.keptBodies(), StandardCharsets.ISO_8859_1)).contains("execute_action");
        assertNoSecret("run output (DEBUG)", observer.output());
        assertNoSecret("exported spans", new String(traces.keptBodies(), StandardCharsets.ISO_8859_1));
        assertNoSecret("dead-letter errors", deadLetterErrors());
    }

    private String deadLetterErrors() {
        StringBuilder all = new StringBuilder();
        try (Connection c = postgres.connect("secrets"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select error from pgobserver.dead_letters")) {
            while (rs.next()) {
                all.append(rs.getString(1)).append('\n');
            }
        } catch (java.sql.SQLException e) {
            return "";
        }
        return all.toString();
    }

    private static void assertNoSecret(String where, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as("%s must not contain '%s'", where, secret).doesNotContain(secret);
        }
    }
}
