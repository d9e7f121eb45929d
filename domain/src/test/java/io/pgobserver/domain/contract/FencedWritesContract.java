package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every store of a consumer's side effects must do: {@link ParkedEvents} keeps a parked entity's queue in order,
 * and parked events, delivery records and dead letters are written only under the consumer's current claim.
 */
public abstract class FencedWritesContract {

    /** One consistent set of stores over the same storage: fences come from {@code checkpoints}. */
    public record Stores(CheckpointStore checkpoints, ParkedEvents parked, Deliveries deliveries,
                            DeadLetters deadLetters) {
    }

    /** Fresh, empty stores. */
    protected abstract Stores newStores();

    private static final String A = "public.orders\u0000a";
    private static final String B = "public.orders\u0000b";

    private static ChangeEvent event(long offset, String entity) {
        return Events.updated(offset, entity, "new", "paid");
    }

    @Test
    void aParkedQueueKeepsItsOrderAndAnEventParkedAgainKeepsItsPlace() throws Exception {
        Stores stores = newStores();
        CheckpointStore.Fence fence = stores.checkpoints().claim("c1").fence();
        stores.parked().park(fence, A, List.of(event(7, "a"), event(3, "a")));
        stores.parked().park(fence, B, List.of(event(5, "b")));
        stores.parked().park(fence, A, List.of(event(3, "a"), event(9, "a"))); // 3 again, after a restart

        assertThat(stores.parked().head("c1", A, 10)).extracting(e -> e.position().offset())
                .containsExactly(7L, 3L, 9L);
        assertThat(stores.parked().head("c1", A, 2)).extracting(e -> e.position().offset()).containsExactly(7L, 3L);
        assertThat(stores.parked().head("c1", A, 1).getFirst()).isEqualTo(event(7, "a"));
        assertThat(stores.parked().entities("c1")).containsExactly(java.util.Map.entry(A, 3L),
                java.util.Map.entry(B, 1L));
        assertThat(stores.parked().entities("c2")).isEmpty();

        // A lane of one event (ordering: none) under an entity id holding a backslash: names survive the store.
        String oneEvent = "public.orders\u0000a\\0b\u000011";
        stores.parked().park(fence, oneEvent, List.of(event(11, "a\\0b")));
        assertThat(stores.parked().entities("c1")).containsKey(oneEvent);
        assertThat(stores.parked().head("c1", oneEvent, 10)).extracting(ChangeEvent::entityId).containsExactly("a\\0b");
        stores.parked().remove(fence, oneEvent, 11);

        stores.parked().remove(fence, A, 7);
        assertThat(stores.parked().head("c1", A, 10)).extracting(e -> e.position().offset()).containsExactly(3L, 9L);
        stores.parked().remove(fence, B, 5);
        assertThat(stores.parked().entities("c1")).containsOnlyKeys(A);
    }

    @Test
    void theSummaryCountsEveryQueueAndNamesOnlyThoseParkedLongest() throws Exception {
        Stores stores = newStores();
        CheckpointStore.Fence fence = stores.checkpoints().claim("c1").fence();
        assertThat(stores.parked().summary("c1", 3)).isEqualTo(new ParkedEvents.Summary(0, 0, java.util.Map.of()));
        for (int entity = 1; entity <= 7; entity++) {
            List<ChangeEvent> events = new java.util.ArrayList<>();
            for (int n = 0; n < entity; n++) {
                events.add(event(entity * 100L + n, "e" + entity));
            }
            stores.parked().park(fence, "public.orders\u0000e" + entity, events);
        }
        stores.parked().park(fence, "public.orders\u0000e1", List.of(event(199, "e1"))); // parked first, grows

        ParkedEvents.Summary summary = stores.parked().summary("c1", 3);
        assertThat(summary.events()).isEqualTo(29);
        assertThat(summary.entities()).isEqualTo(7);
        assertThat(summary.oldest()).containsExactly(java.util.Map.entry("public.orders\u0000e1", 2L),
                java.util.Map.entry("public.orders\u0000e2", 2L), java.util.Map.entry("public.orders\u0000e3", 3L));
        assertThat(stores.parked().summary("c1", 100).oldest()).hasSize(7);
        assertThat(stores.parked().summary("c2", 3).entities()).isZero();
    }

    @Test
    void aProcessWhosePlaceWasClaimedWritesNothing() throws Exception {
        Stores stores = newStores();
        CheckpointStore.Fence old = stores.checkpoints().claim("c1").fence();
        stores.parked().park(old, A, List.of(event(1, "a")));
        CheckpointStore.Fence current = stores.checkpoints().claim("c1").fence();

        assertThatThrownBy(() -> stores.parked().park(old, A, List.of(event(2, "a"))))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThatThrownBy(() -> stores.parked().remove(old, A, 1))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThatThrownBy(() -> stores.deliveries().record(old, 1, List.of("d-old")))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThatThrownBy(() -> stores.deadLetters().add(old, letter(4)))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThat(stores.parked().head("c1", A, 10)).extracting(e -> e.position().offset()).containsExactly(1L);
        assertThat(stores.deliveries().settled(List.of("d-old", letter(4).deliveryKey().id()))).isEmpty();
        assertThat(stores.deadLetters().list("c1", 10)).isEmpty();

        stores.parked().remove(current, A, 1);
        stores.deliveries().record(current, 1, List.of("d-new", "d-new-2"));
        stores.deadLetters().add(current, letter(4));
        assertThat(stores.parked().entities("c1")).isEmpty();
        assertThat(stores.deliveries().settled(List.of("d-new", "d-new-2", letter(4).deliveryKey().id())))
                .containsExactlyInAnyOrder("d-new", "d-new-2", letter(4).deliveryKey().id());
        assertThat(stores.deadLetters().list("c1", 10)).hasSize(1);
    }

    @Test
    void writersOutsideThePipelineAreNotFenced() throws InterruptedException {
        Stores stores = newStores();
        stores.deliveries().record("d-replay");
        stores.deadLetters().add(letter(8));
        assertThat(stores.deliveries().settled(List.of("d-replay"))).containsExactly("d-replay");
        assertThat(stores.deadLetters().list("c1", 10)).hasSize(1);
    }

    private static DeadLetter letter(long offset) {
        return new DeadLetter(0, "c1", event(offset, "a"), "shipped", 0, "webhook-0", "webhook", "HTTP 500", 5,
                Instant.parse("2026-01-01T00:00:00Z"));
    }
}
