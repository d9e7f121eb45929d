package io.pgobserver.adapters.postgres;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointWords;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Update;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Positions in {@code pgobserver.checkpoints} (one row per consumer) and the snapshots of the batches read since
 * in {@code pgobserver.batches}. Every write after {@link #claim} says {@code where consumer = ? and epoch = ?}:
 * when another process has claimed the consumer since, the write changes nothing and throws
 * {@link FencedException}, so a leader that lost its lock cannot move the position under its successor.
 *
 * <p>Position writes are durable whatever the server's {@code synchronous_commit} ({@link Fences#durable}): a
 * recorded batch names transaction ids as finished; on a server with {@code synchronous_commit = off} a crash can lose
 * the last acknowledged commits and hand their ids to new transactions, whose rows a recorded snapshot would then
 * wrongly count as already read. Flushing the record flushes every commit before it, so no id it names as finished
 * can be handed out again. A snapshot taken before a crash and recorded after it is covered by its own flushed
 * commit ({@link PostgresChangeSource#snapshot}, V5).
 */
@Singleton
final class JdbiCheckpointStore implements CheckpointStore {

    // A consumer seen for the first time starts at batch 0 = (origin, origin), checkpoint 1/0, with no holder to
    // wait for: epoch 0 counts as released.
    private static final String INSERT_START = """
            insert into pgobserver.checkpoints (consumer, epoch, batch, after_id, released_epoch)
            values (:consumer, 0, 1, 0, 0)
            on conflict (consumer) do nothing
            """;
    private static final String INSERT_ORIGIN = """
            insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to, from_taker_xid, from_ids_before,
                                            from_ids_after, to_taker_xid, to_ids_before, to_ids_after)
            values (:consumer, 0, :from::pg_snapshot, :to::pg_snapshot, :fromTaker, :fromIdsBefore, :fromIdsAfter,
                    :toTaker, :toIdsBefore, :toIdsAfter)
            on conflict (consumer, seq) do nothing
            """;
    // Waits for every fenced write in flight (they hold the row "for key share", see Fences) before the epoch moves.
    private static final String LOCK_FOR_CLAIM = """
            select 1 from pgobserver.checkpoints where consumer = :consumer for update
            """;
    private static final String BUMP_EPOCH = """
            update pgobserver.checkpoints set epoch = epoch + 1, updated_at = now(), claimed_by = :process,
                   claimed_at = now()
             where consumer = :consumer
            returning epoch, batch, after_id, dispatched_batch, dispatched_id,
                      coalesce(released_epoch = epoch - 1, false) as handed_over
            """;
    // Fenced by the where clause alone: a holder that was claimed over releases nothing.
    private static final String RELEASE = """
            update pgobserver.checkpoints set released_epoch = epoch
             where consumer = :consumer and epoch = :epoch
            """;
    private static final String SELECT_STATE = """
            select epoch, batch, after_id, dispatched_batch, dispatched_id, claimed_by, claimed_at
              from pgobserver.checkpoints where consumer = :consumer
            """;
    private static final String SELECT_BATCHES = """
            select seq, snapshot_from::text as snapshot_from, snapshot_to::text as snapshot_to, from_taker_xid,
                   from_ids_before, from_ids_after, to_taker_xid, to_ids_before, to_ids_after
              from pgobserver.batches where consumer = :consumer and seq >= :first order by seq
            """;
    private static final String INSERT_BATCH = """
            insert into pgobserver.batches (consumer, seq, snapshot_from, snapshot_to, from_taker_xid, from_ids_before,
                                            from_ids_after, to_taker_xid, to_ids_before, to_ids_after)
            select :consumer, :seq, :from::pg_snapshot, :to::pg_snapshot, :fromTaker, :fromIdsBefore, :fromIdsAfter,
                   :toTaker, :toIdsBefore, :toIdsAfter
             where exists (select 1 from pgobserver.checkpoints where consumer = :consumer and epoch = :epoch)
            on conflict (consumer, seq) do nothing
            """;
    // The high-water mark only moves forward; the epoch check is in the where clause, so a fenced process
    // updates nothing, and "nothing updated" is told apart from "already further" by the returned flag.
    private static final String MOVE_HIGH_WATER = """
            update pgobserver.checkpoints
               set dispatched_batch = case when (dispatched_batch, dispatched_id) < (:batch, :id)
                                           then :batch else dispatched_batch end,
                   dispatched_id = case when (dispatched_batch, dispatched_id) < (:batch, :id)
                                        then :id else dispatched_id end
             where consumer = :consumer and epoch = :epoch
            """;
    private static final String MOVE_CHECKPOINT = """
            update pgobserver.checkpoints
               set batch = case when (batch, after_id) < (:batch, :afterId) then :batch else batch end,
                   after_id = case when (batch, after_id) < (:batch, :afterId) then :afterId else after_id end,
                   updated_at = now()
             where consumer = :consumer and epoch = :epoch
            returning batch
            """;
    // Batch (checkpoint - 1) stays: its snapshot_to is where the next restart resumes.
    private static final String PRUNE_BATCHES = """
            delete from pgobserver.batches where consumer = :consumer and seq < :keepFrom
            """;

    private final Database database;

    @Inject
    JdbiCheckpointStore(Database database) {
        this.database = database;
    }

    @Override
    public Resume claim(String consumer) {
        return database.jdbi().inTransaction(handle -> {
            Fences.durable(handle);
            handle.createUpdate(INSERT_START).bind("consumer", consumer).execute();
            bindSnapshots(handle.createUpdate(INSERT_ORIGIN), Snapshot.ORIGIN, Snapshot.ORIGIN)
                    .bind("consumer", consumer)
                    .execute();
            handle.createQuery(LOCK_FOR_CLAIM).bind("consumer", consumer).mapTo(Integer.class).one();
            Claimed claimed = handle.createQuery(BUMP_EPOCH).bind("consumer", consumer)
                    .bind("process", ProcessName.CURRENT)
                    .map((rs, ctx) -> new Claimed(state(rs), null, null, rs.getBoolean("handed_over")))
                    .one();
            State state = claimed.state();
            List<Batch> batches = batches(handle, consumer, state.checkpoint().batch() - 1);
            Batch last = batches.getFirst();
            if (last.seq() != state.checkpoint().batch() - 1) {
                throw new IllegalStateException("consumer '" + consumer + "': checkpoint saved: " + CheckpointWords
                        .of(state.checkpoint()) + ", but batch " + (state.checkpoint().batch() - 1) + ", which it "
                        + "follows, is not recorded in pgobserver.batches");
            }
            return new Resume(new Fence(consumer, state.epoch()), state.checkpoint(), last.to(),
                    batches.subList(1, batches.size()), state.dispatched(), claimed.handedOver());
        });
    }

    @Override
    public void release(Fence fence) throws FencedException {
        int released = database.jdbi().withHandle(handle -> handle.createUpdate(RELEASE)
                .bind("consumer", fence.consumer())
                .bind("epoch", fence.epoch())
                .execute());
        if (released == 0) {
            throw Fences.fenced(fence);
        }
    }

    @Override
    public void dispatching(Fence fence, Batch batch, long throughId) throws FencedException {
        // The fence is held first, in the same transaction: a fenced process records no batch (the new holder's
        // record of the same batch number would otherwise fail its equality check for ever).
        database.jdbi().inTransaction(handle -> {
            Fences.durable(handle);
            Fences.hold(handle, fence);
            bindSnapshots(handle.createUpdate(INSERT_BATCH), batch.from(), batch.to())
                    .bind("consumer", fence.consumer())
                    .bind("epoch", fence.epoch())
                    .bind("seq", batch.seq())
                    .execute();
            List<Batch> known = batches(handle, fence.consumer(), batch.seq());
            if (!known.isEmpty() && known.getFirst().seq() == batch.seq() && !known.getFirst().equals(batch)) {
                throw new IllegalStateException("batch " + batch.seq() + " of consumer '" + fence.consumer()
                        + "' was recorded as " + known.getFirst() + ", not " + batch);
            }
            handle.createUpdate(MOVE_HIGH_WATER)
                    .bind("consumer", fence.consumer())
                    .bind("epoch", fence.epoch())
                    .bind("batch", batch.seq())
                    .bind("id", throughId)
                    .execute();
            return null;
        });
    }

    @Override
    public void save(Fence fence, Checkpoint checkpoint) throws FencedException {
        Boolean fenced = database.jdbi().inTransaction(handle -> {
            Fences.durable(handle);
            Optional<Long> now = handle.createQuery(MOVE_CHECKPOINT)
                    .bind("consumer", fence.consumer())
                    .bind("epoch", fence.epoch())
                    .bind("batch", checkpoint.batch())
                    .bind("afterId", checkpoint.afterId())
                    .mapTo(Long.class)
                    .findOne();
            now.ifPresent(batch -> handle.createUpdate(PRUNE_BATCHES)
                    .bind("consumer", fence.consumer())
                    .bind("keepFrom", batch - 1)
                    .execute());
            return now.isEmpty();
        });
        if (fenced) {
            throw Fences.fenced(fence);
        }
    }

    @Override
    public Optional<Saved> load(String consumer) {
        return database.jdbi().withHandle(handle -> handle.createQuery(SELECT_STATE)
                .bind("consumer", consumer)
                .map((rs, ctx) -> new Claimed(state(rs), rs.getString("claimed_by"),
                        rs.getObject("claimed_at", java.time.OffsetDateTime.class), false))
                .findOne()
                .map(row -> {
                    State state = row.state();
                    List<Batch> batches = batches(handle, consumer, state.checkpoint().batch() - 1);
                    Snapshot done = batches.isEmpty() ? Snapshot.ORIGIN : batches.getFirst().to();
                    return new Saved(state.checkpoint(), done, state.dispatched(), state.epoch(), row.by(),
                            row.at() == null ? null : row.at().toInstant());
                }));
    }

    private record State(long epoch, Checkpoint checkpoint, HighWater dispatched) {
    }

    /** The state with the process that claimed its epoch, and when, and whether that claim was handed over. */
    private record Claimed(State state, String by, java.time.OffsetDateTime at, boolean handedOver) {
    }

    private static State state(ResultSet rs) throws SQLException {
        return new State(rs.getLong("epoch"), new Checkpoint(rs.getLong("batch"), rs.getLong("after_id")),
                new HighWater(rs.getLong("dispatched_batch"), rs.getLong("dispatched_id")));
    }


    private static List<Batch> batches(Handle handle, String consumer, long first) {
        return handle.createQuery(SELECT_BATCHES)
                .bind("consumer", consumer)
                .bind("first", first)
                .map((rs, ctx) -> new Batch(rs.getLong("seq"), snapshot(rs, "snapshot_from", "from_"),
                        snapshot(rs, "snapshot_to", "to_")))
                .list();
    }

    /** Binds a batch's two snapshots and their bounds (nulls for a snapshot without them). */
    private static Update bindSnapshots(Update update, Snapshot from, Snapshot to) {
        update.bind("from", from.value()).bind("to", to.value());
        bindBounds(update, "from", from.bounds());
        bindBounds(update, "to", to.bounds());
        return update;
    }

    private static void bindBounds(Update update, String side, Snapshot.Bounds bounds) {
        update.bind(side + "Taker", bounds == null ? null : bounds.takerXid())
                .bind(side + "IdsBefore", bounds == null ? null : bounds.idsBefore())
                .bind(side + "IdsAfter", bounds == null ? null : bounds.idsAfter());
    }

    private static Snapshot snapshot(ResultSet rs, String column, String prefix) throws SQLException {
        long taker = rs.getLong(prefix + "taker_xid");
        if (rs.wasNull()) {
            return new Snapshot(rs.getString(column));
        }
        return new Snapshot(rs.getString(column), new Snapshot.Bounds(taker, rs.getLong(prefix + "ids_before"),
                rs.getLong(prefix + "ids_after")));
    }
}
