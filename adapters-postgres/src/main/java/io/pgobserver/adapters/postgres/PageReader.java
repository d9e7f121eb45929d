package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.event.ChangeEvent;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads change_log rows into a page of events, for the listener and for replays alike: a page ends at its count of
 * rows or once its events hold the page's bytes ({@link ListenerSettings#pageBytes()}, an eighth of
 * {@code listener.max_pending_bytes}; by {@link ChangeEvent#approximateBytes()}, one event at least), whichever comes
 * first. Rows of hundreds of KB would otherwise fill the heap with one page. The rows come through a cursor, as many
 * at a time as {@link PageSize} says fit, so that what the driver holds stays near the page's bytes too; a cursor
 * needs the statement to run in a transaction. One read at a time.
 */
final class PageReader {

    /** What becomes of a row that cannot be read as an event (the listener files it; a replay names it). */
    @FunctionalInterface
    interface Unreadable {
        void row(long id, RuntimeException error) throws SQLException;
    }

    /**
     * A page as read.
     *
     * @param events the events, in the statement's order
     * @param lastId the id of the last row read, an event's or an unreadable row's; the {@code afterId} given when
     *               there was none
     * @param rows   the rows read, unreadable ones included
     * @param full   true when the page ended at its bytes: rows may follow, however few were read
     */
    record Read(List<ChangeEvent> events, long lastId, int rows, boolean full) {
    }

    private final PageSize size;

    PageReader(long pageBytes) {
        this.size = new PageSize(pageBytes);
    }

    /**
     * Runs {@code statement}, which selects at most {@code maxRows} change_log rows with {@link EventRows}' columns,
     * and reads them up to the page's end; rows past it are left for the next page, which starts after
     * {@link Read#lastId()}.
     */
    Read read(PreparedStatement statement, long afterId, int maxRows, Unreadable unreadable) throws SQLException {
        statement.setFetchSize(size.rows(maxRows));
        try (ResultSet rs = statement.executeQuery()) {
            List<ChangeEvent> events = new ArrayList<>();
            long lastId = afterId;
            int rows = 0;
            long bytes = 0;
            while (!size.full(bytes) && rs.next()) {
                rows++;
                lastId = rs.getLong("offset");
                try {
                    ChangeEvent event = EventRows.read(rs);
                    events.add(event);
                    bytes += size.saw(event.approximateBytes());
                } catch (RuntimeException e) {
                    unreadable.row(lastId, e);
                }
                rs.setFetchSize(size.rows(maxRows - rows)); // for the rows the driver fetches next
            }
            size.pageRead(!events.isEmpty());
            return new Read(events, lastId, rows, size.full(bytes));
        }
    }
}
