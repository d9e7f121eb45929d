package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.ParkedEvents;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.statement.PreparedBatch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parked entities' queues in {@code pgobserver.parked_events}, whole events in order ({@code seq}), one queue per
 * consumer and entity (entity type and id: the event's ordering key). Every write holds the consumer's fence in its
 * own transaction ({@link Fences}).
 */
@Singleton
final class JdbiParkedEvents implements ParkedEvents {

    private static final String COLUMNS = """
            event_id, txid, "offset", entity_type, entity_id, kind, before::text as before, after::text as after,
            occurred_at, traceparent, tracestate
            """;

    private static final String INSERT = """
            insert into pgobserver.parked_events (consumer, "offset", event_id, txid, entity_type, entity_id, kind,
                                                 before, after, occurred_at, traceparent, tracestate)
            values (:consumer, :offset, :eventId, :txid, :entityType, :entityId, :kind, :before::jsonb,
                    :after::jsonb, :occurredAt, :traceparent, :tracestate)
            on conflict (consumer, "offset") do nothing
            """;

    private final Database database;

    @Inject
    JdbiParkedEvents(Database database) {
        this.database = database;
    }

    @Override
    public void park(CheckpointStore.Fence fence, String entity, List<ChangeEvent> events)
            throws CheckpointStore.FencedException {
        if (events.isEmpty()) {
            return;
        }
        database.jdbi().inTransaction(handle -> {
            Fences.hold(handle, fence);
            PreparedBatch batch = handle.prepareBatch(INSERT);
            for (ChangeEvent event : events) {
                EventColumns.bind(batch, event).bind("consumer", fence.consumer()).add();
            }
            batch.execute();
            return null;
        });
    }

    @Override
    public List<ChangeEvent> head(String consumer, String entity, int limit) {
        Key key = Key.of(entity);
        return database.jdbi().withHandle(handle -> handle.createQuery("select " + COLUMNS
                        + " from pgobserver.parked_events where consumer = :consumer and entity_type = :type"
                        + " and entity_id = :id order by seq limit :limit")
                .bind("consumer", consumer)
                .bind("type", key.type())
                .bind("id", key.id())
                .bind("limit", Math.max(0, limit))
                .map((rs, ctx) -> EventRows.read(rs))
                .list());
    }

    @Override
    public void remove(CheckpointStore.Fence fence, String entity, long offset)
            throws CheckpointStore.FencedException {
        database.jdbi().inTransaction(handle -> {
            Fences.hold(handle, fence);
            handle.createUpdate("delete from pgobserver.parked_events where consumer = :consumer and \"offset\" = :offset")
                    .bind("consumer", fence.consumer())
                    .bind("offset", offset)
                    .execute();
            return null;
        });
    }

    @Override
    public Map<String, Long> entities(String consumer) {
        return database.jdbi().withHandle(handle -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            handle.createQuery("""
                            select entity_type, entity_id, count(*) as events from pgobserver.parked_events
                             where consumer = :consumer group by entity_type, entity_id order by min(seq)
                            """)
                    .bind("consumer", consumer)
                    .map((rs, ctx) -> Map.entry(new Key(rs.getString("entity_type"), rs.getString("entity_id")),
                            rs.getLong("events")))
                    .forEach(e -> counts.put(e.getKey().orderingKey(), e.getValue()));
            return counts;
        });
    }

    /** An ordering key split into its columns: PostgreSQL's text cannot hold the NUL that joins them. */
    private record Key(String type, String id) {
        static Key of(String orderingKey) {
            int cut = orderingKey.indexOf('\u0000');
            if (cut < 0) {
                throw new IllegalArgumentException("not an entity key (type NUL id): " + orderingKey);
            }
            return new Key(orderingKey.substring(0, cut), orderingKey.substring(cut + 1));
        }

        String orderingKey() {
            return type + '\u0000' + id;
        }
    }
}
