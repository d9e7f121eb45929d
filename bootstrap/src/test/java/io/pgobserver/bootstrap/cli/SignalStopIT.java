package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgobserver.bootstrap.tracing.Signals;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM in the middle of a stream: the packaged jar runs as a child process against an embedded PostgreSQL,
 * sending a webhook per event to a MockWebServer while a writer keeps inserting rows. After SIGTERM it exits 0,
 * it saves a checkpoint, and after a restart every written event has been delivered exactly once; SIGINT then stops
 * the second process the same way, leaving no lag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignalStopIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EmbeddedPostgres postgres;
    private final MockWebServer webhooks = new MockWebServer();
    /** The event ids the webhook receiver got, with how often. */
    private final Map<String, Integer> delivered = new ConcurrentHashMap<>();
    private Path config;
    private Path logs;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        webhooks.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                try {
                    String eventId = JSON.readTree(request.getBody().utf8()).path("event_id").asText();
                    delivered.merge(eventId, 1, Integer::sum);
                    return new MockResponse.Builder().code(200).build();
                } catch (IOException e) {
                    return new MockResponse.Builder().code(400).body(e.toString()).build();
                }
            }
        });
        webhooks.start();
        sql("create table public.items (id bigserial primary key, n int not null)");
        logs = Files.createDirectories(Path.of("target", "signal-stop-it"));
        config = Files.writeString(logs.resolve("pg-observer.yaml"), """
                database: { url: "jdbc:postgresql://localhost:%d/postgres", user: postgres }
                listener: { poll_interval: 200ms, checkpoint_interval: 100ms, batch_size: 20 }
                tracing: { enabled: false }
                metrics: { enabled: false }
                admin: { port: -1 }
                observers:
                  items:
                    entity: public.items
                    actions:
                      - { type: webhook, url: "%s" }
                """.formatted(postgres.getPort(), webhooks.url("/hooks/items")));
        Cli.Result install = Cli.run("install", "--config", config.toString(), "--table", "public.items");
        assertThat(install.exitCode()).as(install.toString()).isZero();
    }

    @AfterAll
    void stop() throws Exception {
        webhooks.close();
        postgres.close();
    }

    @Test
    void sigterm_mid_stream_loses_nothing_and_saves_the_checkpoint() throws Exception {
        Process first = startJar("run-1.log");
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        Thread writer = Thread.ofPlatform().name("writer").start(() -> {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                while (writing.get()) {
                    s.execute("insert into public.items (n) values (" + written.incrementAndGet() + ")");
                    Thread.sleep(5);
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await(() -> delivered.size() >= 50, "50 events delivered by the first process", "run-1.log");
            long writtenAtSignal = written.get();
            first.destroy(); // SIGTERM
            assertEnds(first);
            assertThat(first.exitValue()).as("exit code after SIGTERM; log:\n%s", log("run-1.log")).isZero();
            // The checkpoint in words, as status says it: the log said "checkpoint 2/0".
            assertThat(log("run-1.log")).contains("SIGTERM received", "pipeline stopped after")
                    .containsPattern("pipeline stopped after \\d+ events; checkpoint saved: (events done up to "
                            + "change_log id \\d+ \\(batch \\d+ in progress|every batch before batch \\d+ done)");
            long afterStop = written.get();
            await(() -> written.get() >= afterStop + 50, "more rows written after the stop", "run-1.log");
            assertThat(writtenAtSignal).as("rows were being written when the signal came").isPositive();
        } finally {
            writing.set(false);
            writer.join();
            first.destroyForcibly();
        }

        Set<String> writtenIds = eventIds();
        Set<String> deliveredBeforeRestart = new HashSet<>(delivered.keySet());
        JsonNode stopped = status();
        assertThat(stopped.path("checkpoint").isObject()).as("checkpoint saved by the first process: %s", stopped)
                .isTrue();
        assertThat(stopped.path("lag").path("events").asLong())
                .as("the rows written after the stop wait for the next process").isPositive();
        assertThat(writtenIds.size()).as("some events were written but not delivered before the restart")
                .isGreaterThan(deliveredBeforeRestart.size());

        Process second = startJar("run-2.log");
        try {
            await(() -> delivered.keySet().containsAll(writtenIds),
                    "every written event delivered after the restart", "run-2.log");
            // Ctrl-C in a terminal: SIGINT stops it the same way. A build started in the background by a shell
            // without job control inherits SIGINT ignored, as every process it starts does (POSIX), and an ignored
            // signal stays ignored: there, as for any program, Ctrl-C cannot apply, and the stop is SIGTERM's again.
            String signal = Signals.sigintIgnored() ? "TERM" : "INT";
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(second.pid())).inheritIO().start();
            assertThat(kill.waitFor()).as("kill -%s", signal).isZero();
            assertEnds(second);
            assertThat(second.exitValue()).as("exit code after SIG%s; log:\n%s", signal, log("run-2.log")).isZero();
            assertThat(log("run-2.log")).contains("SIG" + signal + " received", "active, resuming at its checkpoint: ");
        } finally {
            second.destroyForcibly();
        }
        assertThat(delivered.keySet()).containsAll(writtenIds);
        // Both stops finished what was in flight and saved: nothing ran twice, and nothing is left behind.
        assertThat(delivered.values()).as("deliveries per event").allMatch(n -> n == 1);
        assertThat(status().path("lag").path("events").asLong()).as("lag after the second stop").isZero();
    }

    @Test
    void the_jar_knows_its_version() throws Exception {
        Process version = new ProcessBuilder(java(), "-jar", jar().toString(), "--version").start();
        String printed = new String(version.getInputStream().readAllBytes()).strip();
        assertThat(version.waitFor()).isZero();
        assertThat(printed).matches("pg-observer \\d+\\.\\d+\\.\\d+.*");
    }

    private static Path jar() {
        Path jar = Path.of("target", "pg-observer.jar");
        assertThat(jar).as("the packaged jar (mvn package builds it before the integration tests)").exists();
        return jar;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private Process startJar(String logName) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(java(), "-jar", jar().toString(), "run", "--config", config.toString(),
                "--shutdown-timeout", "20s");
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("TRACING_")
                || name.startsWith("JAEGER_") || name.startsWith("ZIPKIN_") || name.equals("DATABASE_URL"));
        env.put("PGOBSERVER_LOG_LEVEL", "INFO");
        builder.redirectErrorStream(true).redirectOutput(logs.resolve(logName).toFile());
        return builder.start();
    }

    /** Fails with the process's threads (jcmd Thread.print) when it has not ended within the patience. */
    private static void assertEnds(Process process) throws InterruptedException, IOException {
        if (process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
            return;
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()), "Thread.print").redirectErrorStream(true).start();
        String threads = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        throw new AssertionError("the process did not end within " + PATIENCE.toSeconds() + " s; its threads:\n"
                + threads);
    }

    private String log(String name) throws IOException {
        Path file = logs.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "(no log)";
    }

    private void await(BooleanSupplier condition, String what, String logName)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for: " + what + " (" + delivered.size()
                        + " events delivered); log:\n" + log(logName));
            }
            Thread.sleep(50);
        }
    }

    /** Every event in the change log. */
    private Set<String> eventIds() throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select event_id::text from pgobserver.change_log")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** What {@code status --json} says. */
    private JsonNode status() throws IOException {
        Cli.Result result = Cli.run("status", "--config", config.toString(), "--json");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return JsonMapper.builder().build().readTree(result.out());
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
