package io.pgobserver.adapters.console;

import io.pgobserver.domain.port.EventOutcomes.ActionOutcome;
import org.junit.jupiter.api.Test;

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
