package io.pgobserver.domain.contract;

import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link Deliveries} store must do. */
public abstract class DeliveriesContract {

    protected abstract Deliveries newStore();

    @Test
    void aDeliveryIsSettledOnceRecorded() {
        Deliveries store = newStore();
        assertThat(store.settled(List.of("msg_a", "msg_b"))).isEmpty();
        store.record("msg_a");
        assertThat(store.settled(List.of("msg_a", "msg_b"))).containsExactly("msg_a");
    }

    @Test
    void recordingTwiceIsHarmless() {
        Deliveries store = newStore();
        store.record("msg_c");
        store.record("msg_c");
        assertThat(store.settled(List.of("msg_c"))).containsExactly("msg_c");
    }
}
