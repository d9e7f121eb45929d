package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte bound on the events read and not yet finished ({@code listener.max_pending_bytes}): each event counts
 * what it holds once, when registered, and gives it back when done, not when the checkpoint passes it; reading waits
 * while the bound is reached, and one event always gets in however large. The drainers' budget for parked events
 * read back follows the same rule.
 */
class HeldBytesTest {

    private static final long KB = 1000;

    private static ChangeEvent event(long id, int textBytes) {
        return new ChangeEvent("e-" + id, new Position(0, id), "public.orders", Long.toString(id % 3),
                ChangeKind.UPDATED, Map.of(), Map.of("body", "x".repeat(textBytes)), Instant.now(),
                TraceContext.NONE);
    }

    private static Progress progress(int maxPending, long maxBytes) {
        InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        return new Progress(store, store.claim("c"), Duration.ofMinutes(1), maxPending, maxBytes, System::nanoTime,
                () -> { });
    }

    private static Ticket register(Progress progress, long id, int textBytes) {
        ChangeEvent event = event(id, textBytes);
        return progress.register(1, event, event.entityId(), () -> false, null);
    }

    @Test
    void readingWaitsOnceTheUnfinishedEventsHoldTheBoundAndGoesOnWhenOneIsDone() throws Exception {
        Progress progress = progress(10_000, 300 * KB);
        Ticket first = register(progress, 1, 100_000);
        register(progress, 2, 100_000);
        assertThat(progress.awaitRoom(Duration.ZERO)).as("two events of ~100 KB held").isTrue();
        register(progress, 3, 100_000);
        assertThat(progress.awaitRoom(Duration.ofMillis(20))).as("three: the bound is reached").isFalse();
        assertThat(progress.head().full()).as("the head says reading waits").isTrue();

        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return progress.awaitRoom(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(waiting).isNotDone();
        first.done();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("woken as soon as one was done").isTrue();
    }

    @Test
    void aFinishedEventBehindASlowOneGivesItsBytesBackBeforeTheCheckpointPassesIt() throws Exception {
        Progress progress = progress(10_000, 250 * KB);
        register(progress, 1, 100_000); // slow: the checkpoint waits on it
        Ticket second = register(progress, 2, 100_000);
        register(progress, 3, 100_000);
        assertThat(progress.awaitRoom(Duration.ZERO)).isFalse();

        second.done();

        assertThat(progress.head().changeLogId()).as("the checkpoint still waits on the slow one").isEqualTo(1);
        assertThat(progress.awaitRoom(Duration.ZERO)).as("the finished one holds no image").isTrue();
    }

    @Test
    void oneEventLargerThanTheBoundGetsInAloneAndHoldsTheRestBack() throws Exception {
        Progress progress = progress(10_000, 64 * KB);
        assertThat(progress.awaitRoom(Duration.ZERO)).isTrue();
        Ticket huge = register(progress, 1, 1_000_000);
        assertThat(progress.awaitRoom(Duration.ZERO)).as("a 1 MB event in a 64 KiB bound").isFalse();
        huge.done();
        assertThat(progress.awaitRoom(Duration.ZERO)).isTrue();
    }

    @Test
    void theCountStillBoundsSmallEvents() throws Exception {
        Progress progress = progress(3, Long.MAX_VALUE);
        for (long id = 1; id <= 3; id++) {
            register(progress, id, 10);
        }
        assertThat(progress.awaitRoom(Duration.ZERO)).isFalse();
        assertThat(progress.head().full()).isTrue();
    }

    @Test
    void aTicketDoneTwiceGivesItsBytesBackOnce() throws Exception {
        Progress progress = progress(10_000, 150 * KB);
        Ticket first = register(progress, 1, 100_000);
        first.done();
        first.done();
        register(progress, 2, 100_000);
        assertThat(progress.awaitRoom(Duration.ZERO)).as("one ~100 KB event held, not a negative count").isTrue();
        register(progress, 3, 100_000);
        assertThat(progress.awaitRoom(Duration.ZERO)).isFalse();
    }

    @Test
    void theDrainersReadOneEventAloneUntilSizesAreKnownThenAsManyAsFit() {
        DrainBudget budget = new DrainBudget(1_000 * KB);
        DrainBudget.Room first = budget.reserve(64);
        assertThat(first.events()).isEqualTo(1);
        assertThat(budget.reserve(64)).as("sizes unknown: the first head is read alone").isNull();

        long held = budget.settle(first, List.of(event(1, 100_000)));
        assertThat(budget.held()).isEqualTo(held).isBetween(100 * KB, 102 * KB);
        DrainBudget.Room second = budget.reserve(64);
        assertThat(second.events()).as("~900 KB left at ~100 KB an event").isBetween(8, 9);
        assertThat(budget.reserve(64)).as("spent").isNull();

        budget.release(budget.settle(second, List.of(event(2, 100_000), event(3, 100_000))));
        budget.release(held);
        assertThat(budget.held()).isZero();
        assertThat(budget.reserve(64).events()).as("as many as fit, nothing held").isEqualTo(9);
    }

    @Test
    void aParkedEventLargerThanTheBudgetIsReadAloneWhenNothingElseIsHeld() {
        DrainBudget budget = new DrainBudget(64 * KB);
        DrainBudget.Room first = budget.reserve(64);
        long held = budget.settle(first, List.of(event(1, 1_000_000)));
        assertThat(budget.reserve(64)).isNull();
        budget.release(held);
        assertThat(budget.reserve(64).events()).isEqualTo(1);
    }
}
