package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.DatabaseStoppedAnswering;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Reads stretches of {@code change_log} for replays: a plain read of committed rows (no batch, no checkpoint), and
 * {@code retention_horizon}, which {@link RetentionJob} moves in the statement that deletes rows. Pages end at their
 * count or at their bytes ({@code listener.max_pending_bytes}), as the listener's do: {@link PageReader}.
 */
@Singleton
final class PostgresChangeHistory implements ChangeHistory {

    private final Database database;
    private final PageReader pages;

    @Inject
    PostgresChangeHistory(Database database, ListenerSettings settings) {
        this.database = database;
        this.pages = new PageReader(settings.pageBytes());
    }

    @Override
    public Present present() {
        // max(id) is one step down the primary key; rows of transactions still open are not visible, hence not in it.
        return answering(() -> database.jdbi().withHandle(handle -> handle.createQuery(
                        "select now() as now, coalesce(max(id), 0) as newest from pgobserver.change_log")
                .map((rs, ctx) -> new Present(rs.getObject("now", OffsetDateTime.class).toInstant(),
                        rs.getLong("newest")))
                .one()));
    }

    /** {@inheritDoc} In a transaction of its own: the rows come through a cursor. */
    @Override
    public Page read(Stretch stretch, String entityType, long afterId, int limit) {
        String range = stretch.byTime() ? "occurred_at between ? and ?" : "id between ? and ?";
        String sql = "select " + EventRows.CHANGE_LOG_COLUMNS + " from pgobserver.change_log where entity_type = ? "
                + "and id > ? and " + range + " order by id limit ?";
        return answering(() -> database.jdbi().inTransaction(handle -> {
            try (PreparedStatement statement = handle.getConnection().prepareStatement(sql)) {
                statement.setString(1, entityType);
                statement.setLong(2, afterId);
                if (stretch.byTime()) {
                    statement.setObject(3, stretch.from().atOffset(ZoneOffset.UTC));
                    statement.setObject(4, stretch.to().atOffset(ZoneOffset.UTC));
                } else {
                    statement.setLong(3, stretch.fromId());
                    statement.setLong(4, stretch.toId());
                }
                statement.setInt(5, limit);
                // A replay steps over a row it cannot read and names it (the listener files such rows with the dead
                // letters, UnreadableRows): stopping would leave the rest of the stretch unreplayed.
                List<Unreadable> unreadable = new ArrayList<>();
                PageReader.Read read = pages.read(statement, afterId, limit,
                        (id, error) -> unreadable.add(new Unreadable(id, Database.rootMessage(error))));
                return new Page(read.events(), read.lastId(), unreadable);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read change_log from PostgreSQL at " + database.describe()
                        + ": " + Database.rootMessage(e), e);
            }
        }));
    }

    @Override
    public long lastId(Stretch stretch, String entityType) {
        String range = stretch.byTime() ? "occurred_at between :from and :to" : "id between :from and :to";
        return answering(() -> database.jdbi().withHandle(handle -> {
            var query = handle.createQuery("select coalesce(max(id), 0) from pgobserver.change_log "
                    + "where entity_type = :type and " + range).bind("type", entityType);
            if (stretch.byTime()) {
                query.bind("from", stretch.from().atOffset(ZoneOffset.UTC))
                        .bind("to", stretch.to().atOffset(ZoneOffset.UTC));
            } else {
                query.bind("from", stretch.fromId()).bind("to", stretch.toId());
            }
            return query.mapTo(Long.class).one();
        }));
    }

    @Override
    public Optional<String> removedPart(Stretch stretch) {
        Horizon horizon = answering(() -> database.jdbi().withHandle(handle -> handle.createQuery(
                        "select max_deleted_id, max_deleted_at from pgobserver.retention_horizon")
                .map((rs, ctx) -> new Horizon(rs.getLong("max_deleted_id"),
                        rs.getObject("max_deleted_at", OffsetDateTime.class).toInstant()))
                .one()));
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

    /**
     * Runs a read of the history; a database that stops answering is said as such
     * ({@link DatabaseStoppedAnswering}).
     */
    private <T> T answering(Supplier<T> read) {
        return Outages.answering(database, read);
    }

    /** The largest id and time of any row retention deleted ('-infinity' and 0 before its first delete). */
    private record Horizon(long maxId, Instant maxAt) {
    }
}
