package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer killed at random points while concurrent writers (whose transactions commit out of id order)
 * produce thousands of events; each restart starts from the saved checkpoint with a fresh listener. Every event
 * must be seen at least once, and a crash may repeat at most the batch it interrupted.
 */
class CrashRecoveryIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryIT.class);
    private static final int WRITERS = 4;
    private static final int EVENTS_PER_WRITER = 1500;
    private static final int BATCH = 50;
    private static final String CONSUMER = "crash-test";

    /** Thrown by the driver to die at a random instant: between two events, or between processing and saving. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void everyEventIsSeenAtLeastOnceAndACrashRepeatsAtMostOneBatch() throws Exception {
        DB.execute("create table public.items (id bigint primary key, writer int, n int)");
        new PostgresCaptureInstaller(DB.database()).install("public.items", null);

        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(CompletableFuture.runAsync(() -> write(writer)));
        }
        CompletableFuture<Void> allWritten = CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new));

        Random random = new Random(42);
        List<String> seen = new ArrayList<>();
        Set<String> seenBefore = new HashSet<>();
        int crashes = 0;
        int worstRepeat = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!(allWritten.isDone() && caughtUp(seen))) {
            assertThat(System.nanoTime()).as("consumer did not catch up in time").isLessThan(deadline);
            int lifeStart = seen.size();
            try {
                runUntilCrash(random, seen, allWritten);
            } catch (Crash crash) {
                crashes++;
            }
            List<String> life = seen.subList(lifeStart, seen.size());
            worstRepeat = Math.max(worstRepeat, (int) life.stream().filter(seenBefore::contains).count());
            seenBefore.addAll(life);
        }
        allWritten.get();

        Set<String> all = allEventIds();
        Set<String> distinct = new HashSet<>(seen);
        int duplicates = seen.size() - distinct.size();
        LOG.info("{} events, {} deliveries, {} crashes, {} duplicates, at most {} repeated after one crash",
                all.size(), seen.size(), crashes, duplicates, worstRepeat);
        assertThat(all).hasSize(WRITERS * EVENTS_PER_WRITER);
        assertThat(distinct).isEqualTo(all);
        assertThat(crashes).isGreaterThanOrEqualTo(20);
        assertThat(duplicates).isLessThanOrEqualTo(crashes * BATCH);
        assertThat(worstRepeat).as("events a restart repeats: only the batch the crash interrupted")
                .isLessThanOrEqualTo(BATCH);
    }

    /**
     * One life of the consumer: load the checkpoint, poll, "process" (record) each event, save the checkpoint after
     * every batch. Dies after a random number of events, sometimes just before a save.
     */
    private static void runUntilCrash(Random random, List<String> seen, CompletableFuture<Void> allWritten)
            throws Exception {
        CheckpointStore checkpoints = new JdbiCheckpointStore(DB.database());
        PostgresChangeSource source = new PostgresChangeSource(DB.database(),
                TestPostgres.listener(CONSUMER, Duration.ofMillis(100)));
        int lifetime = 1 + random.nextInt(3 * BATCH);
        int processed = 0;
        try {
            Position position = checkpoints.load(CONSUMER).orElse(Position.START);
            while (true) {
                List<ChangeEvent> batch = source.poll(position, BATCH, Duration.ofMillis(200));
                if (batch.isEmpty() && allWritten.isDone()) {
                    return;
                }
                for (ChangeEvent event : batch) {
                    if (processed++ == lifetime) {
                        throw new Crash();
                    }
                    assertThat(event.position()).isGreaterThan(position);
                    seen.add(event.id());
                    position = event.position();
                }
                if (!batch.isEmpty() && random.nextInt(5) == 0) {
                    throw new Crash();
                }
                checkpoints.save(CONSUMER, position);
            }
        } finally {
            source.stop();
        }
    }

    private static boolean caughtUp(List<String> seen) throws Exception {
        return new HashSet<>(seen).containsAll(allEventIds());
    }

    private static void write(int writer) {
        Random random = new Random(writer);
        try (Connection connection = TestPostgres.connect(DB.settings());
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            int n = 0;
            while (n < EVENTS_PER_WRITER) {
                int size = Math.min(EVENTS_PER_WRITER - n, 1 + random.nextInt(20));
                statement.execute("insert into public.items select g * 10 + " + writer + ", " + writer + ", g"
                        + " from generate_series(" + n + ", " + (n + size - 1) + ") g");
                n += size;
                if (random.nextInt(4) == 0) {
                    // Hold the transaction open a little, so that later transactions commit before it.
                    Thread.sleep(random.nextInt(30));
                }
                connection.commit();
            }
        } catch (Exception e) {
            throw new IllegalStateException("writer " + writer + " failed", e);
        }
    }

    private static Set<String> allEventIds() throws Exception {
        try (Connection connection = TestPostgres.connect(DB.settings());
             ResultSet rs = connection.createStatement().executeQuery("select event_id::text from pgobserver.change_log")) {
            Set<String> ids = new HashSet<>();
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
            return ids;
        }
    }
}
