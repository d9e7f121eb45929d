package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.trace.TraceContext;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Builds events for tests. */
public final class Events {

    private Events() {
    }

    public static ChangeEvent event(long offset, String entityId, ChangeKind kind, Map<String, Object> before,
                                    Map<String, Object> after) {
        return new ChangeEvent(UUID.nameUUIDFromBytes(("event-" + offset).getBytes()).toString(),
                new Position(offset, offset), "public.orders", entityId, kind, before, after,
                Instant.parse("2026-01-01T00:00:00Z").plusMillis(offset), TraceContext.NONE);
    }

    public static ChangeEvent updated(long offset, String entityId, String fromStatus, String toStatus) {
        return event(offset, entityId, ChangeKind.UPDATED,
                Map.of("id", entityId, "status", fromStatus), Map.of("id", entityId, "status", toStatus));
    }
}
