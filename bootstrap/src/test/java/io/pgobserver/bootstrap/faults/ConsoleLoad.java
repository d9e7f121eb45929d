package io.pgobserver.bootstrap.faults;

import com.sun.net.httpserver.HttpServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console's cost under load, measured by hand (no test runs it): the packaged jar runs one webhook per event
 * against an embedded PostgreSQL while three writers insert 200-row transactions; then phases alternate, the console's
 * overview left alone and polled every POLL_MS, printing the webhook rate of each phase and, while polled, the
 * overview's server time (its {@code Server-Timing} header) and wall time. docs/performance.md has the figures.
 *
 * <pre>
 * mvn -B -pl bootstrap -am package -DskipTests      # the jar and the compiled test classes
 * java -cp bootstrap/target/test-classes:bootstrap/target/pg-observer.jar io.pgobserver.bootstrap.faults.ConsoleLoad \
 *   bootstrap/target/pg-observer.jar PHASE_SECONDS WARMUP_SECONDS POLL_MS
 * </pre>
 */
public final class ConsoleLoad {

    private static final int WRITERS = 3;
    private static final String[] PHASES = {"alone", "polled", "alone", "polled", "alone", "polled"};

    private ConsoleLoad() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        long phaseNanos = Long.parseLong(args[1]) * 1_000_000_000L;
        long warmupMillis = Long.parseLong(args[2]) * 1000L;
        long pollMillis = Long.parseLong(args[3]);
        Path work = Files.createTempDirectory("pgobserver-console-load");
        AtomicLong hooks = new AtomicLong();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            hooks.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg"))
                .setCleanDataDirectory(true).start()) {
            String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            execute(url, "create table public.orders (id bigserial primary key, customer text not null, "
                    + "total numeric not null)");
            int admin = FaultSupport.freePort();
            Path config = Files.writeString(work.resolve("load.yaml"), """
                    database: { url: "%s", user: postgres }
                    listener: { consumer: load, batch_size: 500, max_in_flight: 256 }
                    tracing: { enabled: false }
                    metrics: { enabled: false }
                    admin: { port: %d }
                    observers:
                      orders:
                        entity: public.orders
                        actions:
                          - { type: webhook, url: "http://127.0.0.1:%d/hook" }
                    """.formatted(url, admin, receiver.getAddress().getPort()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            new ProcessBuilder(java, "-jar", jar, "install", "--config", config.toString(), "--table",
                    "public.orders").inheritIO().start().waitFor();
            Process run = new ProcessBuilder(java, "-jar", jar, "run", "--config", config.toString())
                    .redirectOutput(work.resolve("run.log").toFile()).redirectErrorStream(true).start();
            HttpClient http = HttpClient.newHttpClient();
            URI overview = URI.create("http://127.0.0.1:" + admin + "/console/");
            FaultSupport.await("the console", Duration.ofSeconds(60),
                    () -> FaultSupport.httpStatus(admin, "/console/") == 200);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(Thread.ofPlatform().start(() -> write(url, writing)));
            }
            Thread.sleep(warmupMillis);
            for (String phase : PHASES) {
                long hooksBefore = hooks.get();
                long started = System.nanoTime();
                List<Double> server = new ArrayList<>();
                List<Double> wall = new ArrayList<>();
                while (System.nanoTime() - started < phaseNanos) {
                    if (phase.equals("polled")) {
                        long sent = System.nanoTime();
                        HttpResponse<byte[]> page = http.send(HttpRequest.newBuilder(overview).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        wall.add((System.nanoTime() - sent) / 1e6);
                        if (page.statusCode() != 200) {
                            throw new IllegalStateException("the overview answered " + page.statusCode());
                        }
                        server.add(Double.parseDouble(page.headers().firstValue("Server-Timing").orElseThrow()
                                .replaceAll(".*dur=", "")));
                    }
                    Thread.sleep(phase.equals("polled") ? pollMillis : 100);
                }
                double rate = (hooks.get() - hooksBefore) / ((System.nanoTime() - started) / 1e9);
                System.out.printf("%-7s %,8.0f webhooks/s%s%n", phase, rate, server.isEmpty() ? ""
                        : "  overview server time " + percentiles(server) + "; wall " + percentiles(wall));
            }
            writing.set(false);
            for (Thread writer : writers) {
                writer.join();
            }
            run.destroy();
            run.waitFor();
        } finally {
            receiver.stop(0);
            FaultSupport.deleteTree(work);
        }
    }

    /** Inserts 200-row transactions until told to stop. */
    private static void write(String url, AtomicBoolean writing) {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            while (writing.get()) {
                s.execute("insert into public.orders (customer, total) select 'c' || g, g "
                        + "from generate_series(1, 200) g");
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void execute(String url, String sql) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String percentiles(List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format(java.util.Locale.ROOT, "n=%d p50=%.1f ms p95=%.1f ms max=%.1f ms", sorted.size(),
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.95)), sorted.getLast());
    }
}
