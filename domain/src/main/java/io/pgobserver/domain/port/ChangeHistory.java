package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The change stream as history, for {@code pg-observer replay}: the committed events of a stretch, and whether
 * retention has already removed any of them.
 */
public interface ChangeHistory {

    /**
     * A stretch of the change stream: by time ({@code occurred_at}, both ends inclusive) or by position (change_log
     * ids, both ends inclusive).
     */
    record Stretch(Instant from, Instant to, long fromId, long toId) {

        public Stretch {
            boolean byTime = from != null || to != null;
            if (byTime && (from == null || to == null || fromId != 0 || toId != 0)) {
                throw new IllegalArgumentException("a stretch is --from TIME --to TIME or --from-position ID "
                        + "--to-position ID, not a mix");
            }
            if (byTime && to.isBefore(from)) {
                throw new IllegalArgumentException("--to " + to + " is before --from " + from);
            }
            if (!byTime && (fromId < 1 || toId < fromId)) {
                throw new IllegalArgumentException("--from-position and --to-position are change_log ids, from 1, "
                        + "and --to-position must not be below --from-position (were " + fromId + " and " + toId + ")");
            }
        }

        public static Stretch between(Instant from, Instant to) {
            return new Stretch(from, to, 0, 0);
        }

        public static Stretch positions(long fromId, long toId) {
            return new Stretch(null, null, fromId, toId);
        }

        public boolean byTime() {
            return from != null;
        }

        @Override
        public String toString() {
            return byTime() ? from + " to " + to : "change_log ids " + fromId + " to " + toId;
        }
    }

    /**
     * The stretch's committed events of one entity type, in change_log id order (per row, the order its writers
     * committed), after {@code afterId}, at most {@code limit}.
     */
    List<ChangeEvent> read(Stretch stretch, String entityType, long afterId, int limit);

    /**
     * Why the stretch may be incomplete because retention deleted rows of it (the message says from where a replay
     * is whole), or empty when retention has deleted nothing in it.
     */
    Optional<String> removedPart(Stretch stretch);
}
