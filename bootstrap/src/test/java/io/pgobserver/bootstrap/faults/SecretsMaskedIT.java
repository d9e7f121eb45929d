package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
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
 * Secrets never appear in logs, spans, {@code check-config} output or exception messages. The jar
 * runs with a configuration full of distinctive secrets (database password from the environment and in the JDBC
 * URL, webhook URL credentials and query token, webhook signing secret and header token, Slack incoming-webhook
 * path and bot token, SMTP password, OTLP header) at DEBUG level, with webhook and Slack failing so that error paths
 * and dead letters are exercised and mail going through SMTP AUTH; then every byte it printed, every span it exported, every dead letter's error,
 * and the output of {@code check-config}, {@code status}, {@code dlq list} and {@code dlq replay} are searched for
 * each secret.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SecretsMaskedIT {

    private static final String SIGNING_KEY = Base64.getEncoder().encodeToString(
            "SECRETsigningKEYbytes".getBytes(StandardCharsets.US_ASCII));
    private static final String SMTP_PASSWORD = "SECRET-smtp-password";
    private static final List<String> SECRETS = List.of("SECRET-db-password", "SECRET-jdbc-query-password",
            "SECRET-url-password", "SECRET-query-token", SIGNING_KEY.substring(0, 20), "SECRET-header-token",
            "SECRETslackpath", "xoxb-SECRET-slack-token", SMTP_PASSWORD, "SECRET-otlp-key",
            // SMTP AUTH LOGIN and PLAIN send the password base64-encoded: a protocol trace would show these.
            base64(SMTP_PASSWORD), base64("\0mailer\0" + SMTP_PASSWORD).substring(0, 24));

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private Path work;
    private FaultSupport.Postgres postgres;
    private WebhookReceiver hooks;
    private TraceBackend traces;
    private ObserverProcess observer;
    private GreenMail smtp;

    @AfterEach
    void tearDown() throws Exception {
        FaultSupport.closeAll(work, observer, hooks, traces, postgres, smtp == null ? null : smtp::stop);
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
        // A real SMTP server that requires the password, so AUTH really happens while DEBUG logging is on.
        smtp = new GreenMail(new ServerSetup(FaultSupport.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("observer@example.com", "mailer", SMTP_PASSWORD);
        smtp.getManagers().getUserManager().setAuthRequired(true);
        smtp.start();
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
                  enabled: true
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
                email:
                  smtp: { host: 127.0.0.1, port: %d, user: mailer, password: SECRET-smtp-password, security: none,
                          from: observer@example.com, timeout: 5s }
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
                """.formatted(postgres.jdbcUrl(), traces.endpoint(), smtp.getSmtp().getPort(), hookUrl, SIGNING_KEY, closed,
                hooks.url("/slack/api")));
        Map<String, String> env = Map.of("DB_PASSWORD", "SECRET-db-password", "PGOBSERVER_LOG_LEVEL", "DEBUG");
        Path log = Path.of("target", "secrets-observer.log");
        Files.deleteIfExists(log);

        ObserverProcess check = ObserverProcess.start("check-config", log, env, "check-config", "--config",
                config.toString(), "--verbose");
        assertThat(check.waitFor(120)).as(check.output()).isZero();
        assertThat(check.output()).contains("password: '****'").contains("# configuration is valid");
        assertNoSecret("check-config output", check.output());

        // The run writes JSON lines, as in production behind a log shipper: the same secrets must stay out of them.
        Map<String, String> json = new java.util.HashMap<>(env);
        json.put("PGOBSERVER_LOG_FORMAT", "json");
        observer = ObserverProcess.start("run", log, json, "run", "--config", config.toString());
        await("the observer to become active", Duration.ofMinutes(2),
                () -> observer.lastLine("consumer 'secrets' active") > 0 || !observer.isAlive());
        assertThat(observer.isAlive()).as(observer.output()).isTrue();
        try (Connection c = postgres.connect("secrets"); Statement s = c.createStatement()) {
            s.execute("create trigger pgobserver_capture after insert or update or delete on public.accounts "
                    + "for each row execute function pgobserver.capture('id')");
            s.execute("insert into public.accounts (name) values ('a'), ('b')");
        }
        await("every event passed, its failing actions dead-lettered", Duration.ofMinutes(2),
                () -> FaultSupport.uncovered(postgres, "secrets") == 0 && deadLetterErrors().split("\n").length >= 6);
        assertThat(smtp.getReceivedMessages()).as("mail sent after SMTP AUTH").hasSize(2);
        assertThat(observer.stop()).as("clean stop").isNotEqualTo(-1);

        long webhookCalls = hooks.requestCount();
        assertThat(webhookCalls).as("the webhook was called").isPositive();
        assertThat(traces.exportCount()).as("spans were exported").isPositive();
        assertThat(new String(traces.keptBodies(), StandardCharsets.ISO_8859_1)).contains("execute_action");
        assertNoSecret("run output (DEBUG, JSON lines)", observer.output());
        assertEveryLineIsJsonAndTraceIdsAreExported(observer.output(), traces.keptBodies());
        assertNoSecret("exported spans", new String(traces.keptBodies(), StandardCharsets.ISO_8859_1));
        assertNoSecret("dead-letter errors", deadLetterErrors());

        // The operator commands print the same settings, dead letters and errors.
        for (List<String> command : List.of(List.of("status"), List.of("status", "--json"),
                List.of("dlq", "list"), List.of("dlq", "list", "--json"), List.of("dlq", "replay", "--all"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--config", config.toString(), "--verbose"));
            ObserverProcess tool = ObserverProcess.start(String.join(" ", command), log, env,
                    args.toArray(String[]::new));
            tool.waitFor(120);
            assertThat(tool.output()).as(String.join(" ", command)).isNotBlank();
            assertNoSecret(String.join(" ", command) + " output", tool.output());
        }
        assertThat(hooks.requestCount()).as("dlq replay called the webhook again").isGreaterThan(webhookCalls);

        // A command that fails, with its stack trace: the error is a JSON line too, the trace one field of it.
        ObserverProcess failing = ObserverProcess.start("status (failing, json)", log, json, "status", "--config",
                config.toString(), "--set", "database.url=jdbc:postgresql://127.0.0.1:" + closed
                        + "/secrets?password=SECRET-jdbc-query-password", "--verbose");
        assertThat(failing.waitFor(120)).as(failing.output()).isEqualTo(1);
        assertNoSecret("failing status output (JSON lines)", failing.output());
        List<JsonNode> lines = jsonLines(failing.output());
        assertThat(lines).as(failing.output()).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("ERROR");
            assertThat(line.path("message").asText()).startsWith("error: cannot connect to PostgreSQL");
            assertThat(line.path("stack_trace").asText()).contains("\tat ");
        });

        // A Logback file of the user's own replaces the built-in one whole; keeping org.postgresql at INFO, as the
        // guide says, keeps the password out at DEBUG.
        Path own = work.resolve("logback.xml");
        Files.writeString(own, """
                <configuration>
                  <appender name="OWN" class="ch.qos.logback.core.ConsoleAppender">
                    <target>System.err</target>
                    <encoder><pattern>own-file %level %logger - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.postgresql" level="INFO"/>
                  <root level="DEBUG"><appender-ref ref="OWN"/></root>
                </configuration>
                """);
        List<String> jvm = new java.util.ArrayList<>(ObserverProcess.JVM);
        jvm.add("-Dlogback.configurationFile=" + own);
        ObserverProcess ownFile = ObserverProcess.start("status (own logback file)", log, json,
                ClassArchive.with(jvm), "status", "--config", config.toString(), "--set",
                "database.url=jdbc:postgresql://127.0.0.1:" + closed + "/secrets?password=SECRET-jdbc-query-password",
                "--verbose");
        assertThat(ownFile.waitFor(120)).as(ownFile.output()).isEqualTo(1);
        assertThat(ownFile.output()).contains("own-file DEBUG ")
                .contains("own-file ERROR io.pgobserver.bootstrap.cli.PgObserverCommand - error: cannot connect");
        assertNoSecret("status output with an own logback file", ownFile.output());
    }

    /**
     * Every line the process wrote parses as a JSON object, and a line logged about a traced event names in
     * {@code trace_id} a trace whose spans were exported (OTLP carries the id as its 16 bytes).
     */
    private static void assertEveryLineIsJsonAndTraceIdsAreExported(String output, byte[] exported) {
        List<JsonNode> lines = jsonLines(output);
        List<String> traceIds = lines.stream().filter(line -> line.hasNonNull("trace_id"))
                .map(line -> line.get("trace_id").asText()).distinct().toList();
        assertThat(traceIds).as("lines about traced events").isNotEmpty();
        String bodies = new String(exported, StandardCharsets.ISO_8859_1);
        for (String traceId : traceIds) {
            assertThat(bodies).as("trace %s in the exported spans", traceId)
                    .contains(new String(java.util.HexFormat.of().parseHex(traceId), StandardCharsets.ISO_8859_1));
        }
    }

    private static List<JsonNode> jsonLines(String output) {
        ObjectMapper mapper = new ObjectMapper();
        return output.lines().map(line -> {
            try {
                JsonNode node = mapper.readTree(line);
                assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
                return node;
            } catch (java.io.IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
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
