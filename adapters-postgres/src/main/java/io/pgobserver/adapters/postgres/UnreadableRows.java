package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeliveryKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Rows PostgreSQL stored but that cannot become an event here (jsonb nested deeper than the observer's JSON
 * limit, say): each goes to {@code dead_letters} as a letter of the consumer (once; re-reads find it there, and
 * its delivery key is settled with it) with the reason, and the stream goes on. Stopping the stream at it would
 * hold back every later event for good. The dead letter copies no row image (reading it back would fail the same
 * way): the row stays in {@code change_log} under its id.
 */
final class UnreadableRows {

    /** Dead letters of rows that could not be read are filed under this observer name and action type (and key). */
    static final String OBSERVER = DeadLetter.UNREADABLE_ROW;
    static final String ACTION = "decode";

    private static final Logger LOG = LoggerFactory.getLogger(UnreadableRows.class);

    // Parameters: consumer, error, offset, consumer, delivery id, consumer.
    private static final String QUARANTINE = """
            with letter as (
                insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind,
                                                     occurred_at, traceparent, tracestate, consumer, observer,
                                                     action_index, action_key, action_type, error, attempts, failed_at)
                select l.event_id::text, l.txid::text::bigint, l.id, l.entity_type, l.entity_id, l.kind, l.occurred_at,
                       l.traceparent, l.tracestate, ?, '%1$s', -1, '%2$s', '%2$s', ?, 1, now()
                  from pgobserver.change_log l
                 where l.id = ?
                   and not exists (select 1 from pgobserver.dead_letters d
                                    where d."offset" = l.id and d.consumer = ? and d.action_type = '%2$s')
                returning id
            ), settled as (
                insert into pgobserver.deliveries (delivery_id, consumer)
                select ?, ? where exists (select 1 from letter)
                on conflict do nothing
            )
            select id from letter
            """.formatted(OBSERVER, ACTION);

    private final String consumer;

    UnreadableRows(String consumer) {
        this.consumer = consumer;
    }

    private static final String EVENT_ID = "select event_id::text from pgobserver.change_log where id = ?";

    /** Files the row with change_log id {@code offset}, which failed to decode with {@code error}. */
    void quarantine(Connection conn, long offset, RuntimeException error) throws SQLException {
        String reason = "change_log row " + offset + " cannot be read as an event: " + Database.rootMessage(error)
                + ". Its row images stay in pgobserver.change_log (id " + offset + ").";
        String eventId = eventId(conn, offset);
        if (eventId == null) {
            return; // retention deleted the row meanwhile: nothing left to file, nothing to hold back
        }
        DeliveryKey key = new DeliveryKey(consumer, offset, eventId, OBSERVER, ACTION);
        try (PreparedStatement insert = conn.prepareStatement(QUARANTINE)) {
            insert.setString(1, consumer);
            insert.setString(2, reason.replace('\u0000', '\uFFFD'));
            insert.setLong(3, offset);
            insert.setString(4, consumer);
            insert.setString(5, key.id());
            insert.setString(6, consumer);
            try (ResultSet rs = insert.executeQuery()) {
                if (rs.next()) {
                    LOG.warn("{} Dead-lettered for consumer '{}' as observer '{}', action '{}'; later events go on",
                            reason, consumer, OBSERVER, ACTION);
                }
            }
        }
    }

    /** The row's event_id (the letter's delivery key names it, as every delivery key does); null when it is gone. */
    private static String eventId(Connection conn, long offset) throws SQLException {
        try (PreparedStatement select = conn.prepareStatement(EVENT_ID)) {
            select.setLong(1, offset);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
