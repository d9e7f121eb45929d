package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.ChangeSource.ChangeSourceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL stops and starts again (same data directory and port) while the listener is mid-stream. */
class PostgresRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRestartIT.class);

    @TempDir
    Path dataDirectory;

    @Test
    void theListenerRecoversAndLosesNothing() throws Exception {
        RestartablePostgres postgres = RestartablePostgres.start(dataDirectory);
        DatabaseSettings settings = TestPostgres.newDatabase(postgres.server());
        Database database = TestPostgres.startedDatabase(settings);
        PostgresChangeSource source = new PostgresChangeSource(database,
                TestPostgres.listener("restart", Duration.ofMillis(200)));
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        try {
            TestPostgres.execute(settings, "create table public.orders (id bigint primary key)");
            new PostgresCaptureInstaller(database).install("public.orders", null);
            insert(settings, 1, 1000);

            CompletableFuture<Void> consumer = CompletableFuture.runAsync(() -> consume(source, seen, failures, stop));
            waitFor(() -> seen.size() >= 200, "the consumer to be mid-stream");
            postgres.stop();
            LOG.info("PostgreSQL stopped after {} events were consumed", seen.size());
            assertThat(seen.size()).as("the stop must come mid-stream").isLessThan(1000);
            waitFor(() -> failures.get() > 0, "the listener to notice the outage");

            postgres.start();
            LOG.info("PostgreSQL started again");
            insert(settings, 1001, 1500);
            waitFor(() -> seen.size() >= 1500, "the consumer to catch up");
            stop.set(true);
            consumer.get(1, TimeUnit.MINUTES);

            assertThat(new HashSet<>(seen)).isEqualTo(eventIds(settings));
            assertThat(seen).hasSize(1500).doesNotHaveDuplicates();
            assertThat(failures.get()).isPositive();
            LOG.info("Recovered after {} failed calls", failures.get());
        } finally {
            stop.set(true);
            source.stop();
            database.stop();
            postgres.close();
        }
    }

    /** Reads batch after batch from the origin, processing slowly so that the outage comes mid-stream. */
    private static void consume(PostgresChangeSource source, List<String> seen, AtomicInteger failures,
                                AtomicBoolean stop) {
        Streams reader = new Streams(source, Snapshot.ORIGIN);
        while (!stop.get()) {
            try {
                for (ChangeEvent event : reader.next(20, Duration.ofMillis(300))) {
                    seen.add(event.id());
                    Thread.sleep(3);
                }
            } catch (ChangeSourceException e) {
                failures.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static void insert(DatabaseSettings settings, int from, int to) {
        TestPostgres.execute(settings, "insert into public.orders select generate_series(" + from + ", " + to + ")");
    }

    private static Set<String> eventIds(DatabaseSettings settings) throws Exception {
        try (Connection connection = TestPostgres.connect(settings);
             ResultSet rs = connection.createStatement().executeQuery("select event_id::text from pgobserver.change_log")) {
            Set<String> ids = new HashSet<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
