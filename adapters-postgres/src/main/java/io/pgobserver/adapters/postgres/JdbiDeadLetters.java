package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetter;
import io.pgobserver.domain.port.DeadLetters;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.mapper.RowMapper;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dead-letter queue in {@code pgobserver.dead_letters}: the whole event with its trace context, per consumer.
 * Adding a letter also records its delivery id as settled in {@code pgobserver.deliveries}, in the same
 * statement: an event that runs again after a crash finds the action settled and does not dead-letter it twice.
 * Under a fence, the statement runs only while the fence holds, in the same transaction ({@link Fences}). A
 * replay's claim on a letter is an advisory lock ({@link ReplayClaims}).
 */
@Singleton
final class JdbiDeadLetters implements DeadLetters {

    private static final String COLUMNS = """
            id, event_id, txid, "offset", entity_type, entity_id, kind, before::text as before, after::text as after,
            occurred_at, traceparent, tracestate, backfill_id, target_observer, consumer, observer, action_index,
            action_key, action_type, error, attempts, failed_at
            """;

    // One statement, so one transaction: the letter and its settled delivery are written together or not at all.
    private static final String INSERT = """
            with letter as (
                insert into pgobserver.dead_letters (event_id, txid, "offset", entity_type, entity_id, kind, before,
                    after, occurred_at, traceparent, tracestate, backfill_id, target_observer, consumer, observer,
                    action_index, action_key, action_type, error, attempts, failed_at)
                values (:eventId, :txid, :offset, :entityType, :entityId, :kind, :before::jsonb, :after::jsonb,
                    :occurredAt, :traceparent, :tracestate, :backfillId, :targetObserver, :consumer, :observer,
                    :actionIndex, :actionKey, :actionType, :error, :attempts, :failedAt)
                returning id
            ), settled as (
                insert into pgobserver.deliveries (delivery_id, consumer, change_log_id)
                values (:deliveryId, :consumer, :offset)
                on conflict do nothing
            )
            select id from letter
            """;

    private static final RowMapper<DeadLetter> MAPPER = (rs, ctx) -> new DeadLetter(
            rs.getLong("id"),
            rs.getString("consumer"),
            EventRows.read(rs),
            rs.getString("observer"),
            rs.getInt("action_index"),
            rs.getString("action_key"),
            rs.getString("action_type"),
            rs.getString("error"),
            rs.getInt("attempts"),
            rs.getObject("failed_at", OffsetDateTime.class).toInstant());

    private final Database database;
    private final ReplayClaims claims;

    @Inject
    JdbiDeadLetters(Database database, ReplayClaims claims) {
        this.database = database;
        this.claims = claims;
    }

    /** A store with claims of its own, which nothing stops: for a caller that claims no letter. */
    JdbiDeadLetters(Database database) {
        this(database, new ReplayClaims(database));
    }

    @Override
    public long add(CheckpointStore.Fence fence, DeadLetter letter) throws CheckpointStore.FencedException {
        try {
            return insert(fence, letter);
        } catch (RuntimeException e) {
            throw Outages.said(database, e); // a replay, which stores it once, says the outage in its own words
        }
    }

    private long insert(CheckpointStore.Fence fence, DeadLetter letter) throws CheckpointStore.FencedException {
        return database.jdbi().inTransaction(handle -> {
            Fences.hold(handle, fence);
            return EventColumns.bind(handle.createQuery(INSERT), letter.event())
                    .bind("consumer", letter.consumer())
                    .bind("observer", letter.observer())
                    .bind("actionIndex", letter.actionIndex())
                    .bind("actionKey", letter.actionKey())
                    .bind("actionType", letter.actionType())
                    // The record already made its text storable; NULs are what PostgreSQL's text refuses outright,
                    // and a letter that cannot be written would hold its event forever.
                    .bind("error", letter.error().replace('\u0000', '\uFFFD'))
                    .bind("deliveryId", letter.deliveryKey().id())
                    .bind("attempts", letter.attempts())
                    .bind("failedAt", letter.failedAt().atOffset(ZoneOffset.UTC))
                    .mapTo(Long.class)
                    .one();
        });
    }

    @Override
    public List<DeadLetter> list(String consumer, long after, int limit) {
        return database.jdbi().withHandle(handle -> handle.createQuery("select " + COLUMNS
                        + " from pgobserver.dead_letters where consumer = :consumer and id > :after"
                        + " order by id limit :limit")
                .bind("consumer", consumer)
                .bind("after", after)
                .bind("limit", Math.max(0, limit))
                .map(MAPPER)
                .list());
    }

    @Override
    public long lastId(String consumer) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "select coalesce(max(id), 0) from pgobserver.dead_letters where consumer = :consumer")
                .bind("consumer", consumer)
                .mapTo(Long.class)
                .one());
    }

    @Override
    public Optional<DeadLetter> find(String consumer, long id) {
        return database.jdbi().withHandle(handle -> handle.createQuery("select " + COLUMNS
                        + " from pgobserver.dead_letters where id = :id and consumer = :consumer")
                .bind("id", id)
                .bind("consumer", consumer)
                .map(MAPPER)
                .findOne());
    }

    @Override
    public boolean remove(long id) {
        return database.jdbi().withHandle(handle -> handle.createUpdate(
                        "delete from pgobserver.dead_letters where id = :id")
                .bind("id", id)
                .execute()) > 0;
    }

    @Override
    public Map<String, Long> countByObserver(String consumer) {
        return database.jdbi().withHandle(handle -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            handle.createQuery("select observer, count(*) as letters from pgobserver.dead_letters "
                            + "where consumer = :consumer group by observer order by observer")
                    .bind("consumer", consumer)
                    .map((rs, ctx) -> Map.entry(rs.getString("observer"), rs.getLong("letters")))
                    .forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
            return counts;
        });
    }

    @Override
    public Optional<Claim> claim(long id) {
        return claims.claim(id);
    }

    @Override
    public Optional<ClaimHolder> claimHolder(long id) {
        return claims.holder(id);
    }
}
