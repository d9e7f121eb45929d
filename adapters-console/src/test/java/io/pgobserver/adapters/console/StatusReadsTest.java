package io.pgobserver.adapters.console;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.testing.InMemoryCaptureInstaller;
import io.pgobserver.domain.testing.InMemoryChangeSource;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.testing.InMemoryDeadLetters;
import io.pgobserver.domain.testing.InMemoryLeadership;
import io.pgobserver.domain.testing.InMemoryParkedEvents;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** How often the console's figures are read again. */
class StatusReadsTest {

    @Test
    void figuresStayFreshForASecondOrTenTimesWhatReadingThemTook() {
        assertThat(read(0).freshForMillis()).isEqualTo(StatusReads.FRESH_MILLIS);
        assertThat(read(40_000_000L).freshForMillis()).isEqualTo(StatusReads.FRESH_MILLIS);
        assertThat(read(300_000_000L).freshForMillis()).isEqualTo(3_000);
    }

    /**
     * With many rows parked, the parked totals take the database a while to aggregate. Renewing them every second
     * would keep it busy a good part of the time while a console is open: a second page, after a second, is answered
     * from the reads it has.
     */
    @Test
    void slowReadsAreNotRenewedEverySecond() throws Exception {
        InMemoryCheckpointStore checkpoints = new InMemoryCheckpointStore();
        SlowSummary parked = new SlowSummary(new InMemoryParkedEvents(checkpoints), Duration.ofMillis(300));
        StatusReads reads = new StatusReads(new ListenerSettings("slow", 10, Duration.ofMillis(20), 4, 100, null,
                null), checkpoints, new InMemoryChangeSource(), new InMemoryDeadLetters(), parked,
                new InMemoryLeadership(), new InMemoryCaptureInstaller(), List.of());

        assertThat(reads.read()).isPresent();
        assertThat(parked.summaries.get()).isEqualTo(1);
        Thread.sleep(StatusReads.FRESH_MILLIS + 200);
        assertThat(reads.read()).isPresent();

        // A renewal would start at once on a virtual thread and call the summary first thing; give it time to.
        Thread.sleep(500);
        assertThat(parked.summaries.get()).as("summaries read: the second page renewed a 300 ms read after 1.2 s")
                .isEqualTo(1);
    }

    private static StatusReads.Read read(long databaseNanos) {
        return new StatusReads.Read(java.util.Optional.empty(), List.of(), false, null, java.util.Optional.empty(),
                Map.of(), new ParkedEvents.Summary(0, 0, Map.of()), new CaptureInstaller.Check(0, List.of()), 0,
                databaseNanos);
    }

    /** Parked events whose summary takes the database a while, as 223,000 parked rows do. */
    private static final class SlowSummary implements ParkedEvents {
        private final ParkedEvents parked;
        private final Duration takes;
        final AtomicInteger summaries = new AtomicInteger();

        SlowSummary(ParkedEvents parked, Duration takes) {
            this.parked = parked;
            this.takes = takes;
        }

        @Override
        public Summary summary(String consumer, int oldest) {
            summaries.incrementAndGet();
            try {
                Thread.sleep(takes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return parked.summary(consumer, oldest);
        }

        @Override
        public void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
                throws CheckpointStore.FencedException {
            parked.park(fence, entity, events);
        }

        @Override
        public List<ChangeEvent> head(String consumer, String entity, int limit) {
            return parked.head(consumer, entity, limit);
        }

        @Override
        public void remove(CheckpointStore.Fence fence, String entity, long offset)
                throws CheckpointStore.FencedException {
            parked.remove(fence, entity, offset);
        }

        @Override
        public Map<String, Long> entities(String consumer) {
            return parked.entities(consumer);
        }
    }
}
