package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.BackfillMark;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/** Reads an event from a result set with the columns change_log and dead_letters share. */
final class EventRows {

    /** A change_log row's columns as {@link #read} expects them. */
    static final String CHANGE_LOG_COLUMNS = """
            event_id::text as event_id, txid::text::bigint as txid, id as "offset", entity_type, entity_id, kind,
            before::text as before, after::text as after, occurred_at, traceparent, tracestate, backfill_id,
            target_observer""";

    private EventRows() {
    }

    /**
     * Expects {@code event_id, txid (bigint), offset, entity_type, entity_id, kind, before, after, occurred_at,
     * traceparent, tracestate, backfill_id, target_observer}. The trace context is checked here, not when written: an invalid one is
     * {@link io.pgobserver.domain.trace.TraceContext#NONE}, with a warning, and the event starts a new trace.
     */
    static ChangeEvent read(ResultSet rs) throws SQLException {
        return new ChangeEvent(
                rs.getString("event_id"),
                new Position(rs.getLong("txid"), rs.getLong("offset")),
                rs.getString("entity_type"),
                rs.getString("entity_id"),
                ChangeKind.fromWireName(rs.getString("kind")),
                Json.readObject(rs.getString("before")),
                Json.readObject(rs.getString("after")),
                rs.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                InvalidTraceContexts.of(rs),
                backfill(rs));
    }

    private static BackfillMark backfill(ResultSet rs) throws SQLException {
        long id = rs.getLong("backfill_id");
        return rs.wasNull() ? null : new BackfillMark(id, rs.getString("target_observer"));
    }
}
