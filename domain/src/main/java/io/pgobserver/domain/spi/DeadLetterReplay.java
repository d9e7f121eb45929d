package io.pgobserver.domain.spi;

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
