package io.pgobserver.domain.port;

import java.time.Duration;

/** One active consumer per database and consumer name; the others stand by. */
public interface Leadership {

    /** Tries to become the active consumer, waiting up to {@code maxWait}; true when this process now is. */
    boolean acquire(Duration maxWait) throws InterruptedException;

    /** Whether this process still holds leadership (false after a lost connection). */
    boolean isHeld();

    void release();

    /**
     * Whether any process, this one or another, holds leadership now: for {@code status}. Implementations that
     * can see other processes override this; the default only knows about this one.
     */
    default boolean isHeldByAnyone() {
        return isHeld();
    }

    /**
     * The processes competing for this consumer, the holder and its standbys, as far as the implementation can see
     * them: for the console. By default none.
     */
    default java.util.List<Member> members() {
        return java.util.List.of();
    }

    /**
     * One process competing for the consumer.
     *
     * @param process     {@code pid@host}
     * @param holder      whether it holds the lock (it is the active consumer)
     * @param connectedAt when its lock session began, or null when unknown
     */
    record Member(String process, boolean holder, java.time.Instant connectedAt) {
    }

    /**
     * Why this process cannot even compete for leadership now (the database is unreachable), or null when it can.
     * A standby that waits because another process leads is healthy: null.
     */
    default String problem() {
        return null;
    }
}
