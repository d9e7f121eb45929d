package io.pgobserver.domain.contract;

import io.pgobserver.domain.port.Deliveries;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link Deliveries} store must do. */
public abstract class DeliveriesContract {

    protected abstract Deliveries newStore();

    @Test
    void aDeliveryIsRememberedOnceMarked() {
        Deliveries store = newStore();
        assertThat(store.isDelivered("e1.obs.0")).isFalse();
        store.markDelivered("e1.obs.0");
        assertThat(store.isDelivered("e1.obs.0")).isTrue();
        assertThat(store.isDelivered("e1.obs.1")).isFalse();
    }

    @Test
    void markingTwiceIsHarmless() {
        Deliveries store = newStore();
        store.markDelivered("e2.obs.0");
        store.markDelivered("e2.obs.0");
        assertThat(store.isDelivered("e2.obs.0")).isTrue();
    }
}
