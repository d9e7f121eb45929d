package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.Deliveries;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** Successful deliveries in {@code pgobserver.deliveries}; the retention job prunes old ones. */
@Singleton
final class JdbiDeliveries implements Deliveries {

    private final Database database;

    @Inject
    JdbiDeliveries(Database database) {
        this.database = database;
    }

    @Override
    public boolean isDelivered(String deliveryId) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "select exists (select 1 from pgobserver.deliveries where delivery_id = :id)")
                .bind("id", deliveryId)
                .mapTo(Boolean.class)
                .one());
    }

    @Override
    public void markDelivered(String deliveryId) {
        database.jdbi().useHandle(handle -> handle.createUpdate(
                        "insert into pgobserver.deliveries (delivery_id) values (:id) on conflict do nothing")
                .bind("id", deliveryId)
                .execute());
    }
}
