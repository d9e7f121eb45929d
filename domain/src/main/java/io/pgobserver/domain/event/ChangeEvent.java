package io.pgobserver.domain.event;

import io.pgobserver.domain.trace.TraceContext;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row change, as captured in {@code pgobserver.change_log}.
 *
 * @param id           the event's stable id (a UUID string); the same across redeliveries
 * @param position     where the event sits in the stream
 * @param entityType   the table, as {@code schema.table}
 * @param entityId     the row's key, as text
 * @param kind         created, updated, deleted, or read (a backfill's)
 * @param before       the row before the change; empty for created
 * @param after        the row after the change; empty for deleted
 * @param occurredAt   when the change was written
 * @param traceContext the writer's trace context, or {@link TraceContext#NONE}
 * @param backfill     for a backfill's read event, which backfill and for which observer; null for a live change
 */
public record ChangeEvent(
        String id,
        Position position,
        String entityType,
        String entityId,
        ChangeKind kind,
        Map<String, Object> before,
        Map<String, Object> after,
        Instant occurredAt,
        TraceContext traceContext,
        BackfillMark backfill) {

    public ChangeEvent {
        requireText(id, "id");
        Objects.requireNonNull(position, "position");
        requireText(entityType, "entityType");
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(kind, "kind");
        before = JsonValues.immutableMap(before);
        after = JsonValues.immutableMap(after);
        Objects.requireNonNull(occurredAt, "occurredAt");
        traceContext = traceContext == null ? TraceContext.NONE : traceContext;
    }

    /** A live change (no backfill). */
    public ChangeEvent(String id, Position position, String entityType, String entityId, ChangeKind kind,
                       Map<String, Object> before, Map<String, Object> after, Instant occurredAt,
                       TraceContext traceContext) {
        this(id, position, entityType, entityId, kind, before, after, occurredAt, traceContext, null);
    }

    /**
     * About how many bytes of heap the event holds while the pipeline keeps it: its row images (counted when they
     * were frozen, so this costs nothing) and {@link #EVENT_BYTES} for the rest. What bounds the events read and not
     * yet finished ({@code listener.max_pending_bytes}) and the page a read returns.
     */
    public long approximateBytes() {
        return EVENT_BYTES + JsonValues.approximateBytes(before) + JsonValues.approximateBytes(after);
    }

    /**
     * The event without its row images (about 320 bytes measured, with its id, keys and a trace context), and the
     * pipeline's handle on it while it is pending (its place in the stream, its ticket, its lane's slot: about 160),
     * rounded up.
     */
    public static final long EVENT_BYTES = 600;

    /** The key that orders events: events of one entity run one after another, in stream order. */
    public String orderingKey() {
        return entityType + '\u0000' + entityId;
    }

    /**
     * The {@code event} variable that conditions and templates see: {@code id},
     * {@code entity_type}, {@code entity_id}, {@code kind} (the wire name) and {@code occurred_at} (ISO-8601).
     */
    public Map<String, Object> fields() {
        Map<String, Object> fields = new LinkedHashMap<>(8);
        fields.put("id", id);
        fields.put("entity_type", entityType);
        fields.put("entity_id", entityId);
        fields.put("kind", kind.wireName());
        fields.put("occurred_at", occurredAt.toString());
        return fields;
    }

    public ChangeEvent withTraceContext(TraceContext context) {
        return new ChangeEvent(id, position, entityType, entityId, kind, before, after, occurredAt, context,
                backfill);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("change event " + name + " must not be blank");
        }
    }
}
