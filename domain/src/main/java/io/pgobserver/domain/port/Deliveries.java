package io.pgobserver.domain.port;

import java.util.Collection;
import java.util.Set;

/**
 * Remembers which actions are settled (delivered, or dead-lettered), by delivery id (see {@link DeliveryKey}),
 * so that an event dispatched before a crash does not run the same action twice after the restart.
 */
public interface Deliveries {

    /** Of these delivery ids, the ones recorded as settled. One round trip, whatever the number. */
    Set<String> settled(Collection<String> deliveryIds);

    /** Records a delivery; returns once it is durable. */
    void record(String deliveryId);
}
