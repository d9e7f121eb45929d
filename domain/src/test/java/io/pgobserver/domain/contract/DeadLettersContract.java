package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link DeadLetters} store must do. */
public abstract class DeadLettersContract {

    /** A fresh, empty store. */
    protected abstract DeadLetters newStore();

    /** The delivery records the store last made by {@link #newStore()} settles its letters in. */
    protected abstract Deliveries deliveries();

    private static DeadLetter letter(String consumer, long offset, String observer, String error) {
        ChangeEvent event = Events.updated(offset, "o-" + offset, "new", "shipped").withTraceContext(
                TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=value").orElseThrow());
        return new DeadLetter(0, consumer, event, observer, 0, "notify-shop", "webhook", error, 1,
                Instant.parse("2026-01-02T03:04:05Z").truncatedTo(ChronoUnit.MILLIS));
    }

    private static DeadLetter letter(long offset, String observer) {
        return letter("c1", offset, observer, "HTTP 400 Bad Request");
    }

    @Test
    void aLetterKeepsEverythingNeededToReplayIt() {
        DeadLetters store = newStore();
        DeadLetter original = letter(7, "order_shipped");
        long id = store.add(original);
        DeadLetter found = store.find("c1", id).orElseThrow();
        assertThat(found.id()).isEqualTo(id);
        assertThat(found.consumer()).isEqualTo("c1");
        assertThat(found.observer()).isEqualTo("order_shipped");
        assertThat(found.actionIndex()).isZero();
        assertThat(found.actionKey()).isEqualTo("notify-shop");
        assertThat(found.actionType()).isEqualTo("webhook");
        assertThat(found.error()).isEqualTo("HTTP 400 Bad Request");
        assertThat(found.attempts()).isEqualTo(1);
        assertThat(found.failedAt()).isEqualTo(original.failedAt());
        assertThat(found.deliveryKey()).isEqualTo(original.deliveryKey());
        ChangeEvent event = found.event();
        assertThat(event.id()).isEqualTo(original.event().id());
        assertThat(event.position()).isEqualTo(original.event().position());
        assertThat(event.entityType()).isEqualTo("public.orders");
        assertThat(event.entityId()).isEqualTo("o-7");
        assertThat(event.kind()).isEqualTo(original.event().kind());
        assertThat(event.before()).isEqualTo(Map.of("id", "o-7", "status", "new"));
        assertThat(event.after()).isEqualTo(Map.of("id", "o-7", "status", "shipped"));
        assertThat(event.traceContext().traceparent())
                .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(event.traceContext().tracestate()).isEqualTo("vendor=value");
    }

    @Test
    void addingALetterSettlesItsDelivery() {
        DeadLetters store = newStore();
        DeadLetter letter = letter(8, "order_shipped");
        String deliveryId = letter.deliveryKey().id();
        assertThat(deliveries().settled(List.of(deliveryId))).isEmpty();
        store.add(letter);
        assertThat(deliveries().settled(List.of(deliveryId))).containsExactly(deliveryId);
    }

    @Test
    void anErrorWithANulByteIsStored() {
        DeadLetters store = newStore();
        long id = store.add(letter("c1", 9, "a", "bad\u0000body"));
        assertThat(store.find("c1", id).orElseThrow().error()).startsWith("bad").endsWith("body").doesNotContain("\u0000");
    }

    @Test
    void lettersListOldestFirstAndCountByObserver() {
        DeadLetters store = newStore();
        long a = store.add(letter(1, "a"));
        long b = store.add(letter(2, "b"));
        long c = store.add(letter(3, "a"));
        assertThat(store.list("c1", 10)).extracting(DeadLetter::id).containsExactly(a, b, c);
        assertThat(store.list("c1", 2)).extracting(DeadLetter::id).containsExactly(a, b);
        assertThat(store.countByObserver("c1")).isEqualTo(Map.of("a", 2L, "b", 1L));
    }

    @Test
    void aLongQueueIsReadPageByPageAfterTheLastIdShown() {
        DeadLetters store = newStore();
        long a = store.add(letter(1, "a"));
        long theirs = store.add(letter("c2", 2, "a", "x"));
        long b = store.add(letter(3, "b"));
        long c = store.add(letter(4, "a"));
        assertThat(store.list("c1", 0, 2)).extracting(DeadLetter::id).containsExactly(a, b);
        assertThat(store.list("c1", b, 2)).extracting(DeadLetter::id).containsExactly(c);
        assertThat(store.list("c1", a, 10)).extracting(DeadLetter::id).containsExactly(b, c);
        assertThat(store.list("c1", c, 10)).isEmpty();
        assertThat(store.list("c2", 0, 10)).extracting(DeadLetter::id).containsExactly(theirs);
    }

    @Test
    void theLastIdIsTheConsumersNewestLetterAndZeroWithNone() {
        DeadLetters store = newStore();
        assertThat(store.lastId("c1")).isZero();
        long a = store.add(letter(1, "a"));
        long b = store.add(letter(2, "b"));
        long theirs = store.add(letter("c2", 3, "a", "x"));
        assertThat(store.lastId("c1")).isEqualTo(b).isGreaterThan(a);
        assertThat(store.lastId("c2")).isEqualTo(theirs);
        store.remove(b);
        assertThat(store.lastId("c1")).isEqualTo(a);
        assertThat(store.lastId("c3")).isZero();
    }

    @Test
    void eachConsumerSeesOnlyItsOwnLetters() {
        DeadLetters store = newStore();
        long mine = store.add(letter("c1", 1, "a", "x"));
        long theirs = store.add(letter("c2", 1, "a", "y"));
        assertThat(store.list("c1", 10)).extracting(DeadLetter::id).containsExactly(mine);
        assertThat(store.list("c2", 10)).extracting(DeadLetter::id).containsExactly(theirs);
        assertThat(store.find("c1", theirs)).isEmpty();
        assertThat(store.countByObserver("c2")).isEqualTo(Map.of("a", 1L));
        assertThat(store.countByObserver("c3")).isEmpty();
    }

    @Test
    void aRemovedLetterIsGone() {
        DeadLetters store = newStore();
        long id = store.add(letter(1, "a"));
        assertThat(store.remove(id)).isTrue();
        assertThat(store.find("c1", id)).isEmpty();
        assertThat(store.remove(id)).isFalse();
        assertThat(store.countByObserver("c1")).isEmpty();
    }

    @Test
    void aClaimedLetterIsNotClaimedAgainUntilTheClaimCloses() {
        DeadLetters store = newStore();
        long id = store.add(letter(1, "a"));
        long other = store.add(letter(2, "a"));
        assertThat(store.claimHolder(id)).isEmpty();
        DeadLetters.Claim first = store.claim(id).orElseThrow();
        assertThat(store.claim(id)).as("held by the first replay").isEmpty();
        assertThat(store.claimHolder(id)).hasValueSatisfying(holder -> assertThat(holder.process()).isNotBlank());
        try (DeadLetters.Claim unrelated = store.claim(other).orElseThrow()) {
            assertThat(unrelated).as("another letter's claim is its own").isNotNull();
        }
        first.close();
        first.close();
        assertThat(store.claimHolder(id)).isEmpty();
        try (DeadLetters.Claim again = store.claim(id).orElseThrow()) {
            assertThat(store.claim(id)).isEmpty();
        }
        assertThat(store.find("c1", id)).as("a claim leaves the letter as it is").isPresent();
    }
}
