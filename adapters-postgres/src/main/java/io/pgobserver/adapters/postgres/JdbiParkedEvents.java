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
 * consumer and lane (the pipeline's name for it: an entity's ordering key, or one event's). Every write holds the
 * consumer's fence in its own transaction ({@link Fences}).
 */
@Singleton
final class JdbiParkedEvents implements ParkedEvents {

    private static final String COLUMNS = """
            event_id, txid, "offset", entity_type, entity_id, kind, before::text as before, after::text as after,
            occurred_at, traceparent, tracestate, backfill_id, target_observer
            """;

    private static final String INSERT = """
            insert into pgobserver.parked_events (consumer, queue, "offset", event_id, txid, entity_type, entity_id,
                                                 kind, before, after, occurred_at, traceparent, tracestate,
                                                 backfill_id, target_observer)
            values (:consumer, :queue, :offset, :eventId, :txid, :entityType, :entityId, :kind, :before::jsonb,
                    :after::jsonb, :occurredAt, :traceparent, :tracestate, :backfillId, :targetObserver)
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
                EventColumns.bind(batch, event).bind("consumer", fence.consumer()).bind("queue", queue(entity)).add();
            }
            batch.execute();
            return null;
        });
    }

    @Override
    public List<ChangeEvent> head(String consumer, String entity, int limit) {
        return database.jdbi().withHandle(handle -> handle.createQuery("select " + COLUMNS
                        + " from pgobserver.parked_events where consumer = :consumer and queue = :queue"
                        + " order by seq limit :limit")
                .bind("consumer", consumer)
                .bind("queue", queue(entity))
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
                            select queue, count(*) as events from pgobserver.parked_events
                             where consumer = :consumer group by queue order by min(seq)
                            """)
                    .bind("consumer", consumer)
                    .map((rs, ctx) -> Map.entry(lane(rs.getString("queue")), rs.getLong("events")))
                    .forEach(e -> counts.put(e.getKey(), e.getValue()));
            return counts;
        });
    }

    @Override
    public Summary summary(String consumer, int oldest) {
        // One statement, so the totals and the list agree; the totals are taken over every queue before the limit.
        return database.jdbi().withHandle(handle -> {
            long[] totals = new long[2];
            Map<String, Long> first = new LinkedHashMap<>();
            handle.createQuery("""
                            with queues as (select queue, count(*) as events, min(seq) as since
                                              from pgobserver.parked_events where consumer = :consumer group by queue)
                            select queue, events, sum(events) over () as all_events, count(*) over () as all_queues
                              from queues order by since limit :oldest
                            """)
                    .bind("consumer", consumer)
                    .bind("oldest", oldest)
                    .map((rs, ctx) -> {
                        totals[0] = rs.getLong("all_events");
                        totals[1] = rs.getLong("all_queues");
                        return Map.entry(lane(rs.getString("queue")), rs.getLong("events"));
                    })
                    .forEach(e -> first.put(e.getKey(), e.getValue()));
            return new Summary(totals[0], totals[1], first);
        });
    }

    /**
     * A lane's name as PostgreSQL's text can hold it: lane names join their parts with NUL, which text refuses, so
     * NUL becomes the two characters {@code \0} and a backslash is doubled. {@link #lane} reverses it exactly.
     */
    static String queue(String lane) {
        return lane.replace("\\", "\\\\").replace("\u0000", "\\0");
    }

    static String lane(String queue) {
        StringBuilder out = new StringBuilder(queue.length());
        for (int i = 0; i < queue.length(); i++) {
            char c = queue.charAt(i);
            if (c == '\\' && i + 1 < queue.length()) {
                char next = queue.charAt(++i);
                out.append(next == '0' ? '\u0000' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
