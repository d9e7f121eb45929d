package io.pgobserver.application;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * What the events of a page read again after a restart had settled before this term, asked of the delivery log in
 * one round trip for the whole page. A term re-reads every event since the checkpoint, and an entity whose receiver
 * is down can hold the checkpoint back by thousands of events until it is parked. Asked event by event, that was a
 * round trip per event, in series along each entity's lane, so the actions a crash cut short ran again only after
 * their lanes had worked through everything delivered before them, and the re-read went at the pace of round trips.
 *
 * <p>An answer holds for an event's first attempt in the term only: what the term itself delivers comes later.
 */
final class SettledBefore {

    private final Set<String> asked;
    private final Set<String> settled;

    SettledBefore(Collection<String> asked, Set<String> settled) {
        this.asked = Set.copyOf(asked);
        this.settled = Set.copyOf(settled);
    }

    /** The ids among {@code ids} that were settled; null when any of them was not asked (the store must say). */
    Set<String> answer(Collection<String> ids) {
        Set<String> found = null;
        for (String id : ids) {
            if (!asked.contains(id)) {
                return null;
            }
            if (settled.contains(id)) {
                if (found == null) {
                    found = new HashSet<>();
                }
                found.add(id);
            }
        }
        return found == null ? Set.of() : found;
    }
}
