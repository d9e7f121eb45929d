package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.trace.TraceContext;
import org.jdbi.v3.core.statement.SqlStatement;

import java.time.ZoneOffset;

/**
 * Binds a whole event to the columns that tables keeping events outside change_log share (dead_letters,
 * parked_events): {@code :eventId, :txid, :offset, :entityType, :entityId, :kind, :before, :after, :occurredAt,
 * :traceparent, :tracestate, :backfillId, :targetObserver}. {@link EventRows} reads them back.
 */
final class EventColumns {

    private EventColumns() {
    }

    static <T extends SqlStatement<T>> T bind(T statement, ChangeEvent event) {
        TraceContext trace = event.traceContext();
        return statement.bind("eventId", event.id())
                .bind("txid", event.position().txid())
                .bind("offset", event.position().offset())
                .bind("entityType", event.entityType())
                .bind("entityId", event.entityId())
                .bind("kind", event.kind().wireName())
                .bind("before", Json.write(event.before()))
                .bind("after", Json.write(event.after()))
                .bind("occurredAt", event.occurredAt().atOffset(ZoneOffset.UTC))
                .bind("traceparent", trace.isValid() ? trace.traceparent() : null)
                .bind("tracestate", trace.isValid() && !trace.traceState().isEmpty() ? trace.tracestate() : null)
                .bind("backfillId", event.backfill() == null ? null : event.backfill().backfillId())
                .bind("targetObserver", event.backfill() == null ? null : event.backfill().observer());
    }
}
