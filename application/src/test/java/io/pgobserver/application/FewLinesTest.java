package io.pgobserver.application;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A line each while few, then a count: what keeps a receiver down for every row from flooding the log. */
class FewLinesTest {

    private final CapturedLines log = new CapturedLines(System.Logger.Level.ALL);
    private final List<String> lines = log.lines;
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<Runnable> minuteEnds = new CopyOnWriteArrayList<>();
    private final FewLines few = new FewLines(log, System.Logger.Level.INFO, 3, "rows parked", now::get,
            (delay, task) -> {
                assertThat(delay).isEqualTo(java.time.Duration.ofSeconds(60)); // the minute began at the first line
                minuteEnds.add(task);
            });

    @Test
    void theFirstOnesOfAMinuteGetALineTheRestACountOnceTheMinuteIsOver() {
        for (int row = 1; row <= 8; row++) {
            int n = row;
            few.log(() -> "row " + n + " parked");
        }
        assertThat(lines).containsExactly("row 1 parked", "row 2 parked", "row 3 parked",
                "more than 3 rows parked in a minute: the rest of the minute's are counted, not logged one by one");

        now.addAndGet(60_000_000_000L);
        few.log(() -> "row 9 parked");
        assertThat(lines.subList(4, lines.size())).containsExactly(
                "5 more rows parked in that minute, not logged one by one", "row 9 parked");
    }

    @Test
    void aBurstAsTheProcessEndsIsCountedAtOnceNotWhenTheMinuteEndsAfterTheExit() {
        for (int row = 1; row <= 5; row++) {
            int n = row;
            few.log(() -> "row " + n + " parked");
        }
        few.countNow(); // a term ended: the process may exit long before the minute does
        assertThat(lines.subList(4, lines.size())).containsExactly("2 more rows parked so far, not logged one by one");

        now.addAndGet(60_000_000_000L);
        minuteEnds.getFirst().run();
        few.countNow();
        assertThat(lines).as("a count said once, and none when nothing was counted").hasSize(5);
    }

    @Test
    void aMinutesCountIsLoggedWhenItEndsEvenIfNothingMoreComes() {
        for (int row = 1; row <= 6; row++) {
            int n = row;
            few.log(() -> "row " + n + " parked");
        }
        assertThat(minuteEnds).hasSize(1); // one for the minute, however many it counts
        now.addAndGet(60_000_000_000L);
        minuteEnds.getFirst().run();
        assertThat(lines.subList(4, lines.size()))
                .containsExactly("3 more rows parked in that minute, not logged one by one");

        few.log(() -> "row 7 parked"); // a new minute: its own line, and the count is not said twice
        minuteEnds.getFirst().run();
        assertThat(lines.subList(5, lines.size())).containsExactly("row 7 parked");
    }

    @Test
    void aCountAlreadyLoggedWithTheNextLineIsNotLoggedAgainWhenTheMinuteEnds() {
        for (int row = 1; row <= 5; row++) {
            int n = row;
            few.log(() -> "row " + n + " parked");
        }
        now.addAndGet(61_000_000_000L);
        few.log(() -> "row 6 parked");
        minuteEnds.getFirst().run();
        assertThat(lines.subList(4, lines.size()))
                .containsExactly("2 more rows parked in that minute, not logged one by one", "row 6 parked");
    }

    @Test
    void aMinuteWithFewGetsALineEachAndNoCount() {
        few.log(() -> "row 1 parked");
        now.addAndGet(61_000_000_000L);
        few.log(() -> "row 2 parked");
        few.log(() -> "row 3 parked");
        assertThat(lines).containsExactly("row 1 parked", "row 2 parked", "row 3 parked");
    }
}
