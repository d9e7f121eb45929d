package io.pgobserver.domain.spi;

/**
 * Runs one of the consumer's dead letters again, as {@code dlq replay --id} does: in a new trace linked to the
 * original, removing the letter when it is delivered. For adapters that offer the replay (the console).
 */
public interface DeadLetterReplay {

    /**
     * Replays the consumer's letter with this id; the result says whether it was delivered (an unknown id is not).
     *
     * @throws InterruptedException when interrupted while retrying
     */
    Result replay(long id) throws InterruptedException;

    /** What happened to one letter. */
    record Result(long id, boolean delivered, String message) {
    }
}
