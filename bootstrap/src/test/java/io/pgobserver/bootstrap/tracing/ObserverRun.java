package io.pgobserver.bootstrap.tracing;

import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.bootstrap.wiring.Services;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import io.pgobserver.domain.trace.Tracer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole observer as {@code run} assembles it: a configuration file loaded by {@link ConfigLoader}, the injector
 * from {@link Boot#boot} with the adapters {@link AdapterCatalog#discover() found on the class path}, the
 * {@link Services} started, capture installed on {@code public.orders}, and {@link EventPipeline#run()} on a thread
 * of its own. Each run gets a new database in the given PostgreSQL, so runs cannot see each other's events. The
 * test plays the application: {@link #writeOrder} commits a row inside the writer's trace.
 */
final class ObserverRun implements AutoCloseable {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String jdbcUrl;
    private final Services services;
    private final EventPipeline pipeline;
    private final Thread loop;
    private final Tracer tracer;
    private boolean closed;

    private ObserverRun(String jdbcUrl, Services services, EventPipeline pipeline, Thread loop,
                        Tracer tracer) {
        this.tracer = tracer;
        this.jdbcUrl = jdbcUrl;
        this.services = services;
        this.pipeline = pipeline;
        this.loop = loop;
    }

    /**
     * Boots and starts an observer of {@code public.orders} in a new database.
     *
     * @param tracingAndObservers the configuration's {@code tracing:} and {@code observers:} blocks
     */
    static ObserverRun start(EmbeddedPostgres postgres, String tracingAndObservers) throws Exception {
        return start(postgres, tracingAndObservers, Map.of());
    }

    /**
     * As {@link #start(EmbeddedPostgres, String)}, with environment variables as {@code run} would see them.
     *
     * @param env variables such as {@code OTEL_EXPORTER_OTLP_ENDPOINT}
     */
    static ObserverRun start(EmbeddedPostgres postgres, String tracingAndObservers, Map<String, String> env)
            throws Exception {
        String database = "tracing" + DATABASES.incrementAndGet();
        String admin = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
        try (Connection c = DriverManager.getConnection(admin, "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("create database " + database);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("create table public.orders (id bigserial primary key, customer text not null, "
                    + "total numeric(10,2) not null, status text not null default 'new')");
        }
        Path file = Files.createTempFile("pg-observer-tracing", ".yaml");
        Files.writeString(file, """
                database: { url: "%s", user: postgres }
                listener: { consumer: tracing-it, batch_size: 100, poll_interval: 200ms, checkpoint_interval: 0s }
                admin: { port: -1 }
                """.formatted(jdbcUrl) + tracingAndObservers);
        Configuration config;
        try {
            config = new ConfigLoader(env).load(file, List.of());
        } finally {
            Files.delete(file);
        }

        Boot.Booted booted = Boot.boot(config, AdapterCatalog.discover());
        assertThat(booted.tracingAdapter()).isEqualTo(config.tracingActive() || config.metrics().enabled()
                ? AdapterCatalog.OTEL : AdapterCatalog.NOOP);
        Services services = new Services(Boot.unwrap(() -> booted.injector().getInstance(
                Key.get(new TypeLiteral<Set<Lifecycle>>() { }))));
        services.start();
        try {
            booted.get(CaptureInstaller.class).install("public.orders", null);
            EventPipeline pipeline = booted.get(EventPipeline.class);
            Thread loop = Thread.ofPlatform().name("pgobserver-pipeline-" + database).start(() -> {
                try {
                    pipeline.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return new ObserverRun(jdbcUrl, services, pipeline, loop, booted.get(Tracer.class));
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    /** A writer's context with fresh ids, so a backend holding several runs finds this one. */
    static TraceContext writer(boolean sampled) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return TraceContext.of("%016x%016x".formatted(random.nextLong() | 1, random.nextLong()),
                "%016x".formatted(random.nextLong() | 1), sampled);
    }

    /**
     * Inserts an order in one transaction that continues the writer's trace, as an instrumented application does:
     * {@code set_config('pgobserver.traceparent', ?, true)} is {@code SET LOCAL}.
     *
     * @param traceparent the writer's W3C traceparent, or null to write outside any trace
     * @param tracestate  the writer's tracestate, or null
     */
    void writeOrder(String customer, double total, String traceparent, String tracestate) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null)) {
            c.setAutoCommit(false);
            if (traceparent != null) {
                setLocal(c, "pgobserver.traceparent", traceparent);
            }
            if (tracestate != null) {
                setLocal(c, "pgobserver.tracestate", tracestate);
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "insert into public.orders (customer, total) values (?, ?)")) {
                insert.setString(1, customer);
                insert.setDouble(2, total);
                insert.executeUpdate();
            }
            c.commit();
        }
    }

    /**
     * Inserts one order per customer, all in one transaction that continues the writer's trace: every event it
     * makes carries the same traceparent.
     */
    void writeOrders(List<String> customers, String traceparent) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null)) {
            c.setAutoCommit(false);
            setLocal(c, "pgobserver.traceparent", traceparent);
            try (PreparedStatement insert = c.prepareStatement(
                    "insert into public.orders (customer, total) values (?, 1)")) {
                for (String customer : customers) {
                    insert.setString(1, customer);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
        }
    }

    private static void setLocal(Connection c, String name, String value) throws SQLException {
        try (PreparedStatement set = c.prepareStatement("select set_config(?, ?, true)")) {
            set.setString(1, name);
            set.setString(2, value);
            set.execute();
        }
    }

    /** The observer's database, for a test that writes as the application does. */
    String jdbcUrl() {
        return jdbcUrl;
    }

    /** The captured events, oldest first, as {@code [id, event_id]}. */
    List<String[]> changeLog() throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, event_id from pgobserver.change_log order by id")) {
            while (rs.next()) {
                rows.add(new String[] {rs.getString(1), rs.getString(2)});
            }
        }
        return rows;
    }

    /** How many rows {@code pgobserver.dead_letters} holds. */
    long deadLetters() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pgobserver.dead_letters")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Whether the observer's tracer records spans: false when tracing is off, whatever adapter runs metrics. */
    boolean tracing() {
        Span probe = tracer.startTrace("probe", TraceContext.NONE,
                SpanKind.INTERNAL);
        try {
            return probe.isRecording();
        } finally {
            probe.end();
        }
    }

    EventPipeline pipeline() {
        return pipeline;
    }

    /** Waits until the pipeline has processed {@code events} events; false when it did not within a minute. */
    boolean awaitProcessed(long events) throws InterruptedException {
        return Await.until(Duration.ofSeconds(60), () -> pipeline.processedCount() >= events);
    }

    /**
     * Stops as {@code run} does at SIGTERM: the pipeline finishes in-flight work and saves the checkpoint, then the
     * services stop, telemetry last, so every span still queued is exported (or given up) before this returns.
     */
    void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            pipeline.stop(Duration.ofSeconds(10));
            loop.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            services.close();
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }
}
