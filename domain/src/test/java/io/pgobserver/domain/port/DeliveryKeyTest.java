package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery id a receiver de-duplicates on: the same for one delivery, different for any other. */
class DeliveryKeyTest {

    private static ChangeEvent event(String eventId, long offset) {
        return new ChangeEvent(eventId, new Position(1, offset), "public.orders", "42", ChangeKind.UPDATED,
                Map.of("status", "paid"), Map.of("status", "shipped"), Instant.EPOCH, TraceContext.NONE);
    }

    @Test
    void oneEventsActionHasOneFixedLengthIdThatNamesNoneOfItsParts() {
        ChangeEvent event = event("2b0e6c1e-4a35-4c21-9a1c-1f3f0f0c9d11", 7);

        String id = DeliveryKey.of("shop", event, "order_shipped", "webhook-0").id();

        assertThat(id).matches("msg_[0-9a-f]{32}")
                .isEqualTo(DeliveryKey.of("shop", event(event.id(), 7), "order_shipped", "webhook-0").id())
                .doesNotContain("shop").doesNotContain("order_shipped");
    }

    @Test
    void theSameChangeLogIdInAnotherDatabaseIsAnotherDelivery() {
        // Two databases (or one re-created) number their change_log from 1 alike; their events' ids differ.
        String first = DeliveryKey.of("default", event("0b4c8a52-6f0e-4d39-9d5e-0d6b0c0f0a01", 1), "all", "a").id();
        String second = DeliveryKey.of("default", event("7e1f3c9a-2b8d-4e6f-8a1c-5d3e9f7b2c40", 1), "all", "a").id();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void twoRowsThatShareAnEventIdAreTwoDeliveries() {
        String id = "order-42-shipped"; // an outbox writer may reuse its own id
        assertThat(DeliveryKey.of("c", event(id, 1), "o", "a").id())
                .isNotEqualTo(DeliveryKey.of("c", event(id, 2), "o", "a").id());
    }

    @Test
    void eachPartSeparatesDeliveries() {
        ChangeEvent event = event("2b0e6c1e-4a35-4c21-9a1c-1f3f0f0c9d11", 7);
        String id = DeliveryKey.of("c", event, "o", "a").id();

        assertThat(DeliveryKey.of("c2", event, "o", "a").id()).isNotEqualTo(id);
        assertThat(DeliveryKey.of("c", event, "o2", "a").id()).isNotEqualTo(id);
        assertThat(DeliveryKey.of("c", event, "o", "a2").id()).isNotEqualTo(id);
    }
}
