package io.pgobserver.domain.testing;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The in-memory fake of {@link CheckpointStore}, fenced by epoch as the real one is. */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private static final class State {
        long epoch;
        long releasedEpoch;
        Checkpoint checkpoint = Checkpoint.START;
        HighWater dispatched = HighWater.NONE;
        final TreeMap<Long, Batch> batches = new TreeMap<>(Map.of(0L, new Batch(0, Snapshot.ORIGIN, Snapshot.ORIGIN)));
    }

    private final Map<String, State> states = new HashMap<>();
    private int saves;
    private boolean failing;

    @Override
    public synchronized Resume claim(String consumer) {
        fail();
        State state = states.computeIfAbsent(consumer, c -> new State());
        boolean handedOver = state.releasedEpoch == state.epoch;
        state.epoch++;
        long first = state.checkpoint.batch();
        Snapshot done = state.batches.get(first - 1).to();
        List<Batch> recorded = new ArrayList<>(state.batches.tailMap(first, true).values());
        return new Resume(new Fence(consumer, state.epoch), state.checkpoint, done, recorded, state.dispatched,
                handedOver);
    }

    @Override
    public synchronized void release(Fence fence) throws FencedException {
        fail();
        fenced(fence).releasedEpoch = fence.epoch();
    }

    @Override
    public synchronized void dispatching(Fence fence, Batch batch, long throughId) throws FencedException {
        fail();
        State state = fenced(fence);
        Batch known = state.batches.putIfAbsent(batch.seq(), batch);
        if (known != null && !known.equals(batch)) {
            throw new IllegalStateException("batch " + batch.seq() + " was recorded as " + known + ", not " + batch);
        }
        HighWater mark = new HighWater(batch.seq(), throughId);
        if (mark.batch() > state.dispatched.batch()
                || (mark.batch() == state.dispatched.batch() && mark.id() > state.dispatched.id())) {
            state.dispatched = mark;
        }
    }

    @Override
    public synchronized void save(Fence fence, Checkpoint checkpoint) throws FencedException {
        fail();
        State state = fenced(fence);
        saves++;
        if (checkpoint.isAfter(state.checkpoint)) {
            state.checkpoint = checkpoint;
            state.batches.headMap(checkpoint.batch() - 1).clear();
        }
    }

    @Override
    public synchronized Optional<Saved> load(String consumer) {
        State state = states.get(consumer);
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(new Saved(state.checkpoint, state.batches.get(state.checkpoint.batch() - 1).to(),
                state.dispatched, state.epoch));
    }

    /** While true, every call fails as an unreachable database would. */
    public synchronized void setFailing(boolean failing) {
        this.failing = failing;
    }

    public synchronized int saveCount() {
        return saves;
    }

    /** How many batches are kept for the consumer. */
    public synchronized int batchesKept(String consumer) {
        State state = states.get(consumer);
        return state == null ? 0 : state.batches.size();
    }

    /** Throws as a fenced write would when {@code fence} is no longer the consumer's current claim. */
    public synchronized void checkFence(Fence fence) throws FencedException {
        fenced(fence);
    }

    private State fenced(Fence fence) throws FencedException {
        State state = states.get(fence.consumer());
        if (state == null || state.epoch != fence.epoch()) {
            throw new FencedException("consumer '" + fence.consumer() + "' was claimed by another process (epoch "
                    + (state == null ? "none" : state.epoch) + ", this one holds " + fence.epoch() + ")");
        }
        return state;
    }

    private void fail() {
        if (failing) {
            throw new IllegalStateException("checkpoint store unavailable (test)");
        }
    }
}
