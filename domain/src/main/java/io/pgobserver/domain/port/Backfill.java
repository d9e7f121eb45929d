package io.pgobserver.domain.port;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A backfill as stored: what it reads and how far it got.
 *
 * @param id            its id, the {@code backfill} attribute of its events' spans
 * @param request       what was asked for
 * @param rowsDone      rows logged as read events so far (every finished chunk)
 * @param state         running (stopped ones too), finished or cancelled
 * @param startedAt     when it started
 * @param updatedAt     when its last chunk finished (or it started, or ended)
 * @param estimatedRows the table's row count as the planner estimates it ({@code pg_class.reltuples}); -1 unknown
 * @param stop          why and when a failing chunk stopped it, or null: only a running backfill can be stopped
 * @param attended      whether a process runs it now ({@link Backfills#attend}); PostgreSQL ends that with the
 *                      process's session, so a running backfill that is not attended lost its process
 * @param lastKey       the primary key of the last row of its last finished chunk, as text per key column; empty
 *                      before its first chunk: a resume goes on after it
 */
public record Backfill(long id, BackfillRequest request, long rowsDone, State state, Instant startedAt,
                       Instant updatedAt, long estimatedRows, Stop stop, boolean attended, List<String> lastKey) {

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

    /**
     * A chunk failed for a reason a retry cannot cure, and nothing runs the backfill until someone acts. It stays
     * {@link State#RUNNING}, since it is unfinished: fixed rows and a resume finish it, a cancel ends it. Without this
     * a backfill that stopped an hour ago looked just like one making progress.
     *
     * @param error why its chunk failed (the database's message)
     * @param at    when
     */
    public record Stop(String error, Instant at) {
        public Stop {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(at, "at");
        }
    }

    public Backfill {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        lastKey = List.copyOf(Objects.requireNonNull(lastKey, "lastKey"));
        if (rowsDone < 0) {
            throw new IllegalArgumentException("backfill " + id + ": rows done must not be negative");
        }
        if (stop != null && state != State.RUNNING) {
            throw new IllegalArgumentException("backfill " + id + " is " + state.wireName() + ": only a running "
                    + "backfill can be stopped by a failing chunk");
        }
    }

    /** True when a failing chunk stopped it: it waits for a fix and a resume, or a cancel. */
    public boolean stopped() {
        return stop != null;
    }

    /**
     * True when it is unfinished, not stopped, and no process runs it: its process was killed, crashed or lost its
     * database session. Nothing moves it until a resume. Without this it showed as running for ever.
     */
    public boolean interrupted() {
        return state == State.RUNNING && !stopped() && !attended;
    }

    /**
     * Its state as people read it: "stopped" for a stopped one, "interrupted" for one whose process is gone, else
     * {@link State#wireName()}.
     */
    public String shownState() {
        return stopped() ? "stopped" : interrupted() ? "interrupted" : state.wireName();
    }

    /**
     * Its last key as people read it, where a resume goes on: "12000", a composite one "(3, a)"; empty before its
     * first chunk. One spelling wherever it is shown, so that the key a cut-short run names is the one status shows.
     */
    public Optional<String> shownLastKey() {
        return lastKey.isEmpty() ? Optional.empty()
                : Optional.of(lastKey.size() == 1 ? lastKey.getFirst() : "(" + String.join(", ", lastKey) + ")");
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
        if (state != State.RUNNING || stopped() || interrupted() || rate.isEmpty() || estimatedRows < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(Math.max(0, estimatedRows - rowsDone) / rate.getAsDouble()));
    }
}
