package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.Position;

import java.time.Duration;
import java.util.List;

/**
 * Where change events come from. Implementations deliver only events that are safe to read: every event
 * whose position is at or below the last one returned has been returned, so a checkpoint never passes a
 * transaction that commits later.
 */
public interface ChangeSource {

    /**
     * The next events after {@code after}, in position order, at most {@code maxEvents}. Waits up to
     * {@code maxWait} for some to arrive (a notification may end the wait early) and returns an empty list
     * when none did.
     *
     * @throws ChangeSourceException when the source is unreachable; the caller backs off and tries again
     */
    List<ChangeEvent> poll(Position after, int maxEvents, Duration maxWait)
            throws ChangeSourceException, InterruptedException;

    /** How far the stream runs ahead of a position: events and age of the oldest unread one. */
    Lag lag(Position after) throws ChangeSourceException;

    record Lag(long events, Duration age) {
        public static final Lag NONE = new Lag(0, Duration.ZERO);
    }

    /** The source failed; the message is free of secrets. */
    class ChangeSourceException extends Exception {
        private static final long serialVersionUID = 1L;

        public ChangeSourceException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
