package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.testing.InMemoryCheckpointStore;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an event's ticket says it had settled before the term, from its page read again after a restart: valid for
 * the event's first attempt only, since the term's own deliveries come later and only the delivery log has them. And
 * when its retries say that its receivers answer ({@link WaitOnRetries}).
 */
class ProgressTest {

    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore();
    private final Progress progress;

    ProgressTest() {
        CheckpointStore.Resume claimed = store.claim("c");
        // Dispatched before this term: batch 1 up to change_log id 10.
        CheckpointStore.Resume resume = new CheckpointStore.Resume(claimed.fence(), claimed.checkpoint(),
                claimed.done(), List.of(), new CheckpointStore.HighWater(1, 10), false);
        progress = new Progress(store, resume, Duration.ofMinutes(1), 100, Long.MAX_VALUE, System::nanoTime, () -> { });
    }

    private static ChangeEvent event(long id) {
        return new ChangeEvent("e-" + id, new Position(0, id), "public.orders", "1", ChangeKind.UPDATED, Map.of(),
                Map.of(), Instant.now(), TraceContext.NONE);
    }

    @Test
    void aReReadEventAnswersFromItsPageUntilAnAttemptFails() {
        SettledBefore page = new SettledBefore(List.of("a", "b", "c"), Set.of("b"));
        Ticket ticket = progress.register(1, event(9), "1", () -> false, page);

        assertThat(ticket.mayHaveRun()).isTrue();
        assertThat(ticket.settledWhenRead(List.of("a", "b"))).containsExactly("b");
        assertThat(ticket.settledWhenRead(List.of("a"))).isEmpty();
        assertThat(ticket.settledWhenRead(List.of("a", "z"))).as("an id the page did not ask about").isNull();

        ticket.attemptFailed(); // it may have delivered "a" in this term: only the log knows now
        assertThat(ticket.settledWhenRead(List.of("a", "b"))).isNull();
        assertThat(ticket.mayHaveRun()).isTrue();
    }

    @Test
    void anEventPastTheHighWaterMarkNeverRanAndKeepsNoPageAnswer() {
        SettledBefore page = new SettledBefore(List.of("a"), Set.of("a"));
        Ticket ticket = progress.register(1, event(11), "1", () -> false, page);

        assertThat(ticket.mayHaveRun()).isFalse();
        assertThat(ticket.settledWhenRead(List.of("a"))).isNull();
    }

    @Test
    void aRetryThatGotThroughCountsOnceItsEventIsDeliveredWithNoOtherActionRefused() {
        progress.register(1, event(19), "0", () -> false, null); // not done: it keeps a head to read the count from
        Ticket downAndFlaky = progress.register(1, event(20), "1", () -> false, null);
        Ticket flaky = progress.register(1, event(21), "2", () -> false, null);
        Ticket parkedOne = progress.register(1, event(22), "3", () -> false, null);

        downAndFlaky.attemptFailed("down", 0);
        downAndFlaky.attemptFailed("flaky", 0);
        downAndFlaky.retryGotThrough("flaky", 0);
        downAndFlaky.done(); // down's last attempt failed too: dead-lettered, the event is done
        assertThat(progress.head().retriesThrough()).as("down still refuses the row").isZero();

        flaky.attemptFailed("flaky", 0);
        flaky.attemptFailed("flaky", 0);
        flaky.retryGotThrough("flaky", 0);
        assertThat(progress.head().retriesThrough()).as("not delivered yet").isZero();
        flaky.done();
        assertThat(progress.head().retriesThrough()).isEqualTo(1);

        parkedOne.attemptFailed("flaky", 0);
        parkedOne.retryGotThrough("flaky", 0);
        parkedOne.parking();
        parkedOne.done(); // durably parked
        assertThat(progress.head().retriesThrough()).as("parked, not delivered").isEqualTo(1);
    }

    @Test
    void aParkedEventAsksTheLog() {
        Ticket ticket = progress.register(1, event(5), "1", () -> false,
                new SettledBefore(List.of("a"), Set.of()));
        ticket.parking();
        assertThat(ticket.settledWhenRead(List.of("a"))).isNull();
    }
}
