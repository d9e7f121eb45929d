package io.pgobserver.domain.port;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A backfill as stored: what it reads and how far it got.
 *
 * @param id            its id, the {@code backfill} attribute of its events' spans
 * @param request       what was asked for
 * @param rowsDone      rows logged as read events so far (every finished chunk)
 * @param state         running, finished or cancelled
 * @param startedAt     when it started
 * @param updatedAt     when its last chunk finished (or it started, or ended)
 * @param estimatedRows the table's row count as the planner estimates it ({@code pg_class.reltuples}); -1 unknown
 */
public record Backfill(long id, BackfillRequest request, long rowsDone, State state, Instant startedAt,
                       Instant updatedAt, long estimatedRows) {

    /** Where a backfill stands. */
    public enum State {
        RUNNING, FINISHED, CANCELLED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    public Backfill {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        if (rowsDone < 0) {
            throw new IllegalArgumentException("backfill " + id + ": rows done must not be negative");
        }
    }

    /** Rows per second from its start to its last chunk; empty before the first chunk. */
    public OptionalDouble rate() {
        double seconds = Duration.between(startedAt, updatedAt).toMillis() / 1000.0;
        return rowsDone == 0 || seconds <= 0 ? OptionalDouble.empty() : OptionalDouble.of(rowsDone / seconds);
    }

    /**
     * Seconds still to go at the rate so far, by the planner's estimate of the table's rows (under the estimate
     * only when a {@code where} filter makes the backfill smaller); empty when either is unknown.
     */
    public OptionalLong secondsLeft() {
        OptionalDouble rate = rate();
        if (state != State.RUNNING || rate.isEmpty() || estimatedRows < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(Math.max(0, estimatedRows - rowsDone) / rate.getAsDouble()));
    }
}
