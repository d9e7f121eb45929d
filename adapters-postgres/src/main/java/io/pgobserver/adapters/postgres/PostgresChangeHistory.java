package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.port.ChangeHistory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.statement.Query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Reads stretches of {@code change_log} for replays: a plain read of committed rows (no batch, no checkpoint), and
 * {@code retention_horizon}, which {@link RetentionJob} moves in the statement that deletes rows.
 */
@Singleton
final class PostgresChangeHistory implements ChangeHistory {

    private final Database database;

    @Inject
    PostgresChangeHistory(Database database) {
        this.database = database;
    }

    @Override
    public Present present() {
        // max(id) is one step down the primary key; rows of transactions still open are not visible, hence not in it.
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "select now() as now, coalesce(max(id), 0) as newest from pgobserver.change_log")
                .map((rs, ctx) -> new Present(rs.getObject("now", OffsetDateTime.class).toInstant(),
                        rs.getLong("newest")))
                .one());
    }

    @Override
    public List<ChangeEvent> read(Stretch stretch, String entityType, long afterId, int limit) {
        String range = stretch.byTime() ? "occurred_at between :from and :to" : "id between :fromId and :toId";
        return database.jdbi().withHandle(handle -> {
            Query query = handle.createQuery("select " + EventRows.CHANGE_LOG_COLUMNS
                            + " from pgobserver.change_log where entity_type = :entity and id > :after and " + range
                            + " order by id limit :limit")
                    .bind("entity", entityType)
                    .bind("after", afterId)
                    .bind("limit", limit);
            if (stretch.byTime()) {
                query.bind("from", stretch.from().atOffset(ZoneOffset.UTC)).bind("to", stretch.to().atOffset(ZoneOffset.UTC));
            } else {
                query.bind("fromId", stretch.fromId()).bind("toId", stretch.toId());
            }
            return query.map((rs, ctx) -> EventRows.read(rs)).list();
        });
    }

    @Override
    public Optional<String> removedPart(Stretch stretch) {
        Horizon horizon = database.jdbi().withHandle(handle -> handle.createQuery(
                        "select max_deleted_id, max_deleted_at from pgobserver.retention_horizon")
                .map((rs, ctx) -> new Horizon(rs.getLong("max_deleted_id"),
                        rs.getObject("max_deleted_at", OffsetDateTime.class).toInstant()))
                .one());
        if (stretch.byTime() && !horizon.maxAt().isBefore(stretch.from())) {
            return Optional.of("retention (listener.retention) has deleted change_log rows that occurred up to "
                    + horizon.maxAt() + ", so part of the stretch from " + stretch.from() + " is gone; replay from "
                    + "after " + horizon.maxAt());
        }
        if (!stretch.byTime() && horizon.maxId() >= stretch.fromId()) {
            return Optional.of("retention (listener.retention) has deleted change_log rows up to id "
                    + horizon.maxId() + ", so part of the stretch from id " + stretch.fromId() + " is gone; replay "
                    + "from position " + (horizon.maxId() + 1) + " on");
        }
        return Optional.empty();
    }

    /** The largest id and time of any row retention deleted ('-infinity' and 0 before its first delete). */
    private record Horizon(long maxId, Instant maxAt) {
    }
}
