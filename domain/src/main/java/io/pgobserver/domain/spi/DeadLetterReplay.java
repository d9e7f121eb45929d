package io.pgobserver.domain.spi;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one of the consumer's dead letters again, as {@code dlq replay --id} does: in a new trace linked to the
 * original, removing the letter when it is delivered. For adapters that offer the replay (the console).
 */
public interface DeadLetterReplay {

    /**
     * Replays the consumer's letter with this id, unless another replay is running it; the result says how it
     * ended ({@link Outcome}; an unknown id is {@link Outcome#GONE}).
     *
     * @throws InterruptedException when interrupted while retrying
     */
    Result replay(long id) throws InterruptedException;

    /** What happened to one letter; {@code message} says it to the operator. */
    record Result(long id, Outcome outcome, String message) {
        public Result {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
        }

        /** Whether this replay settled the letter: delivered, or no longer wanted, and out of the queue. */
        public boolean delivered() {
            return outcome == Outcome.DELIVERED;
        }
    }

    /**
     * Counts a run of replays by how each ended and says the counts in one phrase, so that every place that replays
     * several letters (the CLI's {@code dlq replay}, the console's buttons) words its summary the same way.
     */
    final class Tally {
        private final Map<Outcome, Long> counts = new EnumMap<>(Outcome.class);

        public void add(Outcome outcome) {
            counts.merge(outcome, 1L, Long::sum);
        }

        public long count(Outcome outcome) {
            return counts.getOrDefault(outcome, 0L);
        }

        /**
         * As {@code 2 delivered, 1 not delivered}, then the letters not run here when there are any: {@code , 1 being
         * replayed by another session (not run here)} and {@code , 1 already replayed or deleted elsewhere}.
         */
        public String counts() {
            return count(Outcome.DELIVERED) + " delivered, " + count(Outcome.STAYS) + " not delivered"
                    + (count(Outcome.REPLAYED_ELSEWHERE) > 0 ? ", " + count(Outcome.REPLAYED_ELSEWHERE)
                    + " being replayed by another session (not run here)" : "")
                    + (count(Outcome.GONE) > 0 ? ", " + count(Outcome.GONE)
                    + " already replayed or deleted elsewhere" : "");
        }
    }

    /** How one letter's replay ended. */
    enum Outcome {
        /** Run and delivered (or its condition no longer matches): the letter left the queue. */
        DELIVERED,
        /** Not delivered (still failing, or it cannot run as configured): the letter stays in the queue. */
        STAYS,
        /** Another replay was running it: not run here, neither delivered nor failed; it stays until that ends. */
        REPLAYED_ELSEWHERE,
        /** Not in the queue when this replay came to it (replayed or deleted by another session): nothing ran. */
        GONE
    }
}
