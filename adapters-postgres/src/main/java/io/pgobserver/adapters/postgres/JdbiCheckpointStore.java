package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.Optional;

/** Checkpoints in {@code pgobserver.checkpoints}, one row per consumer. */
@Singleton
final class JdbiCheckpointStore implements CheckpointStore {

    // The where clause makes a stale save (a slower thread, a replayed batch) a no-op: checkpoints never move back.
    private static final String UPSERT = """
            insert into pgobserver.checkpoints as c (consumer, txid, "offset", updated_at)
            values (:consumer, :txid::text::xid8, :offset, now())
            on conflict (consumer) do update
               set txid = excluded.txid, "offset" = excluded."offset", updated_at = excluded.updated_at
             where (c.txid, c."offset") < (excluded.txid, excluded."offset")
            """;

    private final Database database;

    @Inject
    JdbiCheckpointStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Position> load(String consumer) {
        return database.jdbi().withHandle(handle -> handle.createQuery(
                        "select txid::text::bigint as txid, \"offset\" from pgobserver.checkpoints where consumer = :consumer")
                .bind("consumer", consumer)
                .map((rs, ctx) -> new Position(rs.getLong("txid"), rs.getLong("offset")))
                .findOne());
    }

    @Override
    public void save(String consumer, Position position) {
        database.jdbi().useHandle(handle -> handle.createUpdate(UPSERT)
                .bind("consumer", consumer)
                .bind("txid", position.txid())
                .bind("offset", position.offset())
                .execute());
    }
}
