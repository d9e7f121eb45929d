package io.pgobserver.domain.port;

import io.pgobserver.domain.event.BackfillMark;
import io.pgobserver.domain.event.ChangeKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackfillTest {

    private static final Instant START = Instant.parse("2026-12-02T08:00:00Z");

    @Test
    void readIsAKindOfItsOwn() {
        assertThat(ChangeKind.fromWireName("read")).isEqualTo(ChangeKind.READ);
        assertThat(ChangeKind.READ.wireName()).isEqualTo("read");
        assertThatThrownBy(() -> ChangeKind.fromWireName("snapshot")).hasMessageContaining("deleted or read");
    }

    @Test
    void aMarkForOneObserverIsForThatOneOnly() {
        assertThat(new BackfillMark(1, "shop").isFor("shop")).isTrue();
        assertThat(new BackfillMark(1, "shop").isFor("warehouse")).isFalse();
        assertThat(new BackfillMark(1, " ").isFor("warehouse")).isTrue();
    }

    @Test
    void aRequestNamesItsTableAndBoundsItsChunk() {
        assertThat(new BackfillRequest("orders", "", "", 10).table()).isEqualTo("public.orders");
        assertThat(new BackfillRequest("orders", "", " ", 10).where()).isNull();
        assertThatThrownBy(() -> new BackfillRequest("public.orders", null, null, 0))
                .hasMessageContaining("--chunk must be between 1 and 100000");
        assertThatThrownBy(() -> new BackfillRequest(" ", null, null, 10)).hasMessageContaining("--table");
    }

    @Test
    void rateAndTimeLeftComeFromRowsDoneAndTheEstimate() {
        BackfillRequest request = new BackfillRequest("public.orders", null, null, 1000);
        Backfill running = new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START.plusSeconds(2), 10_000,
                null, true, List.of());
        assertThat(running.rate()).hasValue(2000.0);
        assertThat(running.secondsLeft()).hasValue(3);
        Backfill fresh = new Backfill(1, request, 0, Backfill.State.RUNNING, START, START, 10_000, null, true,
                List.of());
        assertThat(fresh.rate()).isEmpty();
        assertThat(fresh.secondsLeft()).isEmpty();
        Backfill unknown = new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START.plusSeconds(2), -1,
                null, true, List.of());
        assertThat(unknown.secondsLeft()).isEmpty();
    }

    /** Where a resume goes on, as status and a cut-short backfill both show it. */
    @Test
    void itsLastKeyReadsAsOneValueOrAsATupleAndIsAbsentBeforeTheFirstChunk() {
        BackfillRequest request = new BackfillRequest("public.orders", null, null, 1000);
        assertThat(new Backfill(1, request, 0, Backfill.State.RUNNING, START, START, -1, null, true, List.of())
                .shownLastKey()).isEmpty();
        assertThat(new Backfill(1, request, 10, Backfill.State.RUNNING, START, START, -1, null, true,
                List.of("12000")).shownLastKey()).hasValue("12000");
        assertThat(new Backfill(1, request, 10, Backfill.State.RUNNING, START, START, -1, null, true,
                List.of("3", "a b")).shownLastKey()).hasValue("(3, a b)");
    }

    @Test
    void aStoppedBackfillShowsAsStoppedWithNoTimeLeft() {
        BackfillRequest request = new BackfillRequest("public.orders", null, null, 1000);
        Backfill.Stop stop = new Backfill.Stop("its chunk fails: ERROR: division by zero", START.plusSeconds(3));
        Backfill stopped = new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START.plusSeconds(2), 10_000,
                stop, true, List.of());
        assertThat(stopped.stopped()).isTrue();
        assertThat(stopped.shownState()).isEqualTo("stopped");
        assertThat(stopped.rate()).as("the rate while it ran").hasValue(2000.0);
        assertThat(stopped.secondsLeft()).as("no time left while nothing runs it").isEmpty();
        Backfill running = new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START.plusSeconds(2), 10_000,
                null, true, List.of());
        assertThat(running.stopped()).isFalse();
        assertThat(running.shownState()).isEqualTo("running");
        assertThatThrownBy(() -> new Backfill(1, request, 4000, Backfill.State.CANCELLED, START, START, 10_000, stop,
                true, List.of()))
                .hasMessageContaining("backfill 1 is cancelled: only a running backfill can be stopped");
    }

    @Test
    void aRunningBackfillNoProcessAttendsShowsAsInterruptedWithNoTimeLeft() {
        BackfillRequest request = new BackfillRequest("public.orders", null, null, 1000);
        Backfill gone = new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START.plusSeconds(2), 10_000,
                null, false, List.of());
        assertThat(gone.interrupted()).isTrue();
        assertThat(gone.shownState()).isEqualTo("interrupted");
        assertThat(gone.secondsLeft()).as("no time left while nothing runs it").isEmpty();
        Backfill.Stop stop = new Backfill.Stop("its chunk fails: ERROR: division by zero", START.plusSeconds(3));
        assertThat(new Backfill(1, request, 4000, Backfill.State.RUNNING, START, START, 10_000, stop, false, List.of())
                .shownState()).as("a stop says more than the process's end that followed it").isEqualTo("stopped");
        assertThat(new Backfill(1, request, 4000, Backfill.State.FINISHED, START, START, 10_000, null, false, List.of())
                .shownState()).as("an ended backfill needs no process").isEqualTo("finished");
    }
}
