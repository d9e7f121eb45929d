package io.pgobserver.domain.port;

import io.pgobserver.domain.event.ChangeEvent;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The change stream as history, for {@code pg-observer replay}: the committed events of a stretch, and whether
 * retention has already removed any of them. Every method throws {@link DatabaseStoppedAnswering} when the database
 * does not answer.
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
     * Where the change stream ends now, by the database: its clock and the newest committed change_log id (0 when
     * none is recorded). A replay's open end is fixed by these, so a host whose clock is off cannot move it.
     *
     * @param now      the database's {@code now()}
     * @param newestId the largest change_log id committed, or 0
     */
    record Present(Instant now, long newestId) {
        public Present {
            Objects.requireNonNull(now, "now");
        }
    }

    /** The database's present: what a replay's stretch is clamped to. */
    Present present();

    /**
     * A change_log row of the stretch that cannot be read as an event (JSON nested deeper than the observer can bind,
     * say). A replay steps over it and names it, as the listener does; the row stays in change_log.
     *
     * @param id     its change_log id
     * @param reason why it cannot be read
     */
    record Unreadable(long id, String reason) {
        public Unreadable {
            Objects.requireNonNull(reason, "reason");
            if (id < 1) {
                throw new IllegalArgumentException("a change_log id is 1 or more, was " + id);
            }
        }
    }

    /**
     * One page of a stretch: its events, the rows of it that could not be read as events, and the id of the last row
     * read, readable or not, after which the next page starts. Without that id a page whose last rows (or all of
     * whose rows) could not be read would give the next page nowhere to start.
     *
     * @param events     the events, in change_log id order
     * @param lastId     the id of the last row read; the {@code afterId} asked for when the page is empty
     * @param unreadable the rows that could not be read as events, in id order
     */
    record Page(List<ChangeEvent> events, long lastId, List<Unreadable> unreadable) {
        public Page {
            events = List.copyOf(events);
            unreadable = List.copyOf(unreadable);
            long lastRow = Math.max(events.isEmpty() ? 0 : events.getLast().position().offset(),
                    unreadable.isEmpty() ? 0 : unreadable.getLast().id());
            if (lastId < lastRow) {
                // The next page would read rows of this one again, for ever if it is made of them.
                throw new IllegalArgumentException("a page's lastId (" + lastId + ") is below its last row's id ("
                        + lastRow + ")");
            }
        }

        /** True when no row was left to read: the stretch is done. */
        public boolean isEmpty() {
            return events.isEmpty() && unreadable.isEmpty();
        }
    }

    /**
     * The stretch's rows of one entity type after {@code afterId}, in change_log id order (per row, the order its
     * writers committed): at most {@code limit}, and fewer once their events hold a page's bytes (an eighth of
     * {@code listener.max_pending_bytes}, one event at least), so that large rows fit in the heap. Rows that cannot
     * be read as events are in {@link Page#unreadable()} rather than stopping the read. Empty only when none is
     * left; the next page starts after {@link Page#lastId()}.
     */
    Page read(Stretch stretch, String entityType, long afterId, int limit);

    /**
     * The largest change_log id of the stretch's rows of one entity type, or 0 when it has none: where a stretch
     * given by time ends as a position, so that a replay cut short can name the rest of it by ids.
     */
    long lastId(Stretch stretch, String entityType);

    /**
     * Why the stretch may be incomplete because retention deleted rows of it (the message says from where a replay
     * is whole), or empty when retention has deleted nothing in it.
     */
    Optional<String> removedPart(Stretch stretch);
}
