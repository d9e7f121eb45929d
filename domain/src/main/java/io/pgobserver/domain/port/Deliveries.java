package io.pgobserver.domain.port;

/**
 * Remembers which deliveries succeeded, so a redelivered event (after a crash, at-least-once) does not run
 * the same action twice. A delivery id is stable for one event, observer and action.
 */
public interface Deliveries {

    boolean isDelivered(String deliveryId);

    void markDelivered(String deliveryId);
}
