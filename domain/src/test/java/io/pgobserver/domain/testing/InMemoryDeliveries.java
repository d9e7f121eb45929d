package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.Deliveries;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The in-memory fake of {@link Deliveries}. */
public final class InMemoryDeliveries implements Deliveries {

    private final Set<String> delivered = ConcurrentHashMap.newKeySet();

    @Override
    public boolean isDelivered(String deliveryId) {
        return delivered.contains(deliveryId);
    }

    @Override
    public void markDelivered(String deliveryId) {
        delivered.add(deliveryId);
    }
}
