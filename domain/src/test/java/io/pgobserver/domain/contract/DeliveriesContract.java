package io.pgobserver.domain.contract;

import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link Deliveries} store must do. */
public abstract class DeliveriesContract {

    protected abstract Deliveries newStore();

    @Test
    void aDeliveryIsSettledOnceRecorded() throws InterruptedException {
        Deliveries store = newStore();
        assertThat(store.settled(List.of("msg_a"))).isEmpty();
        store.record("msg_a");
        assertThat(store.settled(List.of("msg_a", "msg_b"))).containsExactly("msg_a");
    }

    @Test
    void recordingTwiceIsHarmless() throws InterruptedException {
        Deliveries store = newStore();
        store.record("msg_c");
        store.record("msg_c");
        assertThat(store.settled(List.of("msg_c"))).containsExactly("msg_c");
    }

    @Test
    void manyIdsAreLookedUpAtOnce() throws InterruptedException {
        Deliveries store = newStore();
        for (int i = 0; i < 50; i += 2) {
            store.record("msg_" + i);
        }
        List<String> asked = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "msg_" + i).toList();
        Set<String> settled = store.settled(asked);
        assertThat(settled).hasSize(25).allSatisfy(id -> assertThat(Integer.parseInt(id.substring(4)) % 2).isZero());
        assertThat(store.settled(List.of())).isEmpty();
    }
}
