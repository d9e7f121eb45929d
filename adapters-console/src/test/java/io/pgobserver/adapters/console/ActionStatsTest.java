package io.pgobserver.adapters.console;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.EventOutcomes.ActionOutcome;
import io.pgobserver.domain.port.EventOutcomes.EventOutcome;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory figures: counts, percentiles over the window, the last error, the bounded ring. */
class ActionStatsTest {

    @Test
    void countsRetriesFailuresAndPercentilesOverTheWindow() {
        ActionStats stats = new ActionStats();
        for (int i = 1; i <= 100; i++) {
            stats.record(new ActionOutcome("o", 0, "webhook", true, 1, i * 1_000_000L, null), 10_000);
        }
        stats.record(new ActionOutcome("o", 0, "webhook", true, 3, 500_000_000L, "HTTP 503"), 5_000);
        stats.record(new ActionOutcome("o", 0, "webhook", false, 2, 1_000_000L, "HTTP 422"), 20_000);

        ActionStats.Snapshot s = stats.snapshot(9_000);

        assertThat(s.delivered()).isEqualTo(101);
        assertThat(s.deadLettered()).isEqualTo(1);
        assertThat(s.retried()).isEqualTo(3);
        assertThat(s.failed()).isEqualTo(4);
        assertThat(s.lastError()).isEqualTo("HTTP 422");
        assertThat(s.lastErrorAt()).isEqualTo(20_000);
        assertThat(s.windowCount()).isEqualTo(101); // the one at 5,000 is before the window
        assertThat(s.p50()).isEqualTo(50_000_000L);
        assertThat(s.p99()).isEqualTo(99_000_000L);
        assertThat(new ActionStats().snapshot(0).p50()).isEqualTo(-1);
    }

    @Test
    void theRingKeepsTheNewestAndFilters() {
        RecentEvents ring = new RecentEvents(10);
        for (int i = 1; i <= 25; i++) {
            ring.add(ConsolePagesTest.outcome(i, "matched", null));
        }
        Predicate<io.pgobserver.domain.port.EventOutcomes.EventOutcome> all = e -> true;

        assertThat(ring.newest(all, 100)).extracting(e -> e.event().position().offset())
                .containsExactly(25L, 24L, 23L, 22L, 21L, 20L, 19L, 18L, 17L, 16L);
        assertThat(ring.newest(e -> e.event().position().offset() % 2 == 0, 3))
                .extracting(e -> e.event().position().offset()).containsExactly(24L, 22L, 20L);
    }

    @Test
    void theRingKeepsNoRowImages() {
        // Rows of 100 KB each: 500 of them, the ring's default, would hold 100 MB that no page shows.
        EventOutcome full = ConsolePagesTest.outcome(7, "matched", null);
        ChangeEvent e = full.event();
        EventOutcome big = new EventOutcome(new ChangeEvent(e.id(), e.position(), e.entityType(), e.entityId(),
                e.kind(), Map.of("doc", "x".repeat(100_000)), Map.of("doc", "y".repeat(100_000)), e.occurredAt(),
                e.traceContext()), full.outcome(), "trace-1", 5, 6, full.actions());

        EventOutcome kept = Recorder.withoutImages(big);

        assertThat(kept.event().before()).isEmpty();
        assertThat(kept.event().after()).isEmpty();
        assertThat(kept.event().approximateBytes()).isEqualTo(ChangeEvent.EVENT_BYTES);
        assertThat(kept).usingRecursiveComparison().ignoringFields("event").isEqualTo(big);
        assertThat(kept.event()).usingRecursiveComparison().ignoringFields("before", "after").isEqualTo(e);
        assertThat(Recorder.withoutImages(kept)).as("nothing to take away: the same outcome").isSameAs(kept);
    }

    @Test
    void throughputCountsEachSecond() {
        Throughput t = new Throughput();
        t.count(1_000_500);
        t.count(1_000_900);
        t.count(1_001_100);

        long[] perSecond = t.perSecond(1_002_000);

        assertThat(perSecond[Throughput.SECONDS - 2]).isEqualTo(2);
        assertThat(perSecond[Throughput.SECONDS - 1]).isEqualTo(1);
        assertThat(perSecond[0]).isZero();
    }
}
