package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Snapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading at scale: a huge transaction is one batch read page by page, and an idle-in-transaction session holds
 * neither the stream nor the cost of a batch read. Rates and latencies are logged; the assertions are on what
 * was read, and on read cost only within a wide margin (the machine is shared).
 */
class ListenerThroughputIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final Logger LOG = LoggerFactory.getLogger(ListenerThroughputIT.class);
    private static final int HUGE = 100_000;
    private static final int PAGE = 500;

    private PostgresChangeSource source;

    @BeforeEach
    void newSource() {
        source = new PostgresChangeSource(DB.database(), TestPostgres.listener("throughput", Duration.ofMillis(200)));
    }

    @AfterEach
    void stopSource() {
        source.stop();
    }

    @Test
    void aHundredThousandRowTransactionIsOneBatchReadPageByPage() throws Exception {
        DB.execute("create table public.orders (id bigint primary key, status text, amount numeric)");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        Snapshot before = source.snapshot();
        long writeStart = System.nanoTime();
        DB.execute("insert into public.orders select g, 'new', g * 1.5 from generate_series(1, " + HUGE + ") g");
        long writeNanos = System.nanoTime() - writeStart;

        Batch batch = new Batch(1, before, source.snapshot());
        long readStart = System.nanoTime();
        long count = 0;
        long afterId = 0;
        long slowestPage = 0;
        long expectedEntity = 1;
        while (true) {
            long pageStart = System.nanoTime();
            List<ChangeEvent> page = source.read(batch, afterId, PAGE).events();
            slowestPage = Math.max(slowestPage, System.nanoTime() - pageStart);
            if (page.isEmpty()) {
                break;
            }
            for (ChangeEvent event : page) {
                assertThat(event.entityId()).isEqualTo(Long.toString(expectedEntity++));
                assertThat(event.position().offset()).isGreaterThan(afterId);
                afterId = event.position().offset();
            }
            count += page.size();
        }
        long readNanos = System.nanoTime() - readStart;
        assertThat(count).isEqualTo(HUGE);
        LOG.info("Captured {} rows in one transaction at {} rows/s; read them as one batch in pages of {} at {} "
                        + "events/s (slowest page {} ms)", HUGE, rate(HUGE, writeNanos), PAGE, rate(HUGE, readNanos),
                slowestPage / 1_000_000);
    }

    @Test
    void anIdleInTransactionSessionDelaysNothingAndDoesNotMakeReadsDearer() throws Exception {
        DB.execute("create table public.unrelated (id bigint)");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        try (Connection idle = TestPostgres.connect(DB.settings())) {
            idle.setAutoCommit(false);
            try (Statement statement = idle.createStatement()) {
                statement.execute("insert into public.unrelated values (1)");   // takes an xid, then sits idle
            }
            Streams reader = new Streams(source, source.snapshot());
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> write(stop, written));
            List<Long> windows = new ArrayList<>();
            long read = 0;
            for (int window = 0; window < 6; window++) {
                long windowEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                long readNanos = 0;
                int reads = 0;
                while (System.nanoTime() < windowEnd) {
                    long start = System.nanoTime();
                    List<ChangeEvent> page = reader.next(PAGE, Duration.ofMillis(50));
                    readNanos += System.nanoTime() - start;
                    reads++;
                    read += page.size();
                }
                windows.add(readNanos / Math.max(1, reads) / 1000);
            }
            stop.set(true);
            load.get();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read < written.get() && System.nanoTime() < deadline) {
                read += reader.next(PAGE, Duration.ofMillis(100)).size();
            }
            LOG.info("With a session idle in transaction for 30 s under load ({} rows in small transactions): mean "
                    + "batch-read latency per 5 s window, in microseconds: {}", written.get(), windows);
            assertThat(read).as("every row committed while the session sat idle was read").isEqualTo(written.get());
            long first = windows.getFirst();
            assertThat(windows.getLast()).as("read cost late vs early in the idle session's life: " + windows)
                    .isLessThan(Math.max(first * 5, first + 20_000));
            idle.rollback();
        }
    }

    private static void write(AtomicBoolean stop, AtomicLong written) {
        try (Connection writer = TestPostgres.connect(DB.settings()); Statement statement = writer.createStatement()) {
            while (!stop.get()) {
                statement.execute("""
                        insert into pgobserver.change_log (entity_type, entity_id, kind, after)
                        select 'public.orders', g::text, 'created', '{}' from generate_series(1, 5) g
                        """);
                written.addAndGet(5);
                Thread.sleep(2);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long rate(long events, long nanos) {
        return events * 1_000_000_000L / Math.max(1, nanos);
    }
}
