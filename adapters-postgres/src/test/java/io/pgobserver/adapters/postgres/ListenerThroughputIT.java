package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Measures capture and read rates (logged, never asserted: the machine is shared) and checks the stream is whole. */
class ListenerThroughputIT {

    @RegisterExtension
    static final MigratedDatabase DB = new MigratedDatabase();

    private static final Logger LOG = LoggerFactory.getLogger(ListenerThroughputIT.class);
    private static final int EVENTS = 50_000;

    @Test
    void readsALargeStreamWholeAndInOrder() throws Exception {
        DB.execute("create table public.orders (id bigint primary key, status text, amount numeric)");
        new PostgresCaptureInstaller(DB.database()).install("public.orders", null);
        long writeStart = System.nanoTime();
        DB.execute("insert into public.orders select g, 'new', g * 1.5 from generate_series(1, " + EVENTS + ") g");
        long writeNanos = System.nanoTime() - writeStart;

        PostgresChangeSource source = new PostgresChangeSource(DB.database(),
                TestPostgres.listener("throughput", Duration.ofMillis(200)));
        try {
            long readStart = System.nanoTime();
            Position position = Position.START;
            long count = 0;
            long expectedId = 1;
            while (count < EVENTS) {
                List<ChangeEvent> batch = source.poll(position, 500, Duration.ofSeconds(5));
                assertThat(batch).as("events stopped arriving after " + count).isNotEmpty();
                for (ChangeEvent event : batch) {
                    assertThat(event.entityId()).isEqualTo(Long.toString(expectedId++));
                    assertThat(event.position()).isGreaterThan(position);
                    position = event.position();
                }
                count += batch.size();
            }
            long readNanos = System.nanoTime() - readStart;
            assertThat(count).isEqualTo(EVENTS);
            LOG.info("Captured {} rows in one statement at {} rows/s; read them in batches of 500 at {} events/s",
                    EVENTS, rate(EVENTS, writeNanos), rate(EVENTS, readNanos));
        } finally {
            source.stop();
        }
    }

    private static long rate(long events, long nanos) {
        return events * 1_000_000_000L / Math.max(1, nanos);
    }
}
