package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link CheckpointStore} must do. Extend it with a factory for the implementation under test. */
public abstract class CheckpointStoreContract {

    /** A fresh, empty store. */
    protected abstract CheckpointStore newStore();

    @Test
    void anUnknownConsumerStartsFromTheOrigin() {
        CheckpointStore store = newStore();
        assertThat(store.load("nobody")).isEmpty();
        CheckpointStore.Resume resume = store.claim("nobody");
        assertThat(resume.checkpoint()).isEqualTo(Checkpoint.START);
        assertThat(resume.done()).isEqualTo(Snapshot.ORIGIN);
        assertThat(resume.recorded()).isEmpty();
    }

    @Test
    void recordedBatchesAndTheHighWaterMarkComeBackOnTheNextClaim() throws Exception {
        CheckpointStore store = newStore();
        CheckpointStore.Fence fence = store.claim("c1").fence();
        Batch one = new Batch(1, Snapshot.ORIGIN, new Snapshot("10:12:10"));
        store.dispatching(fence, one, 5);
        store.dispatching(fence, one.then(new Snapshot("12:14:")), 9);
        store.save(fence, new Checkpoint(1, 3));
        CheckpointStore.Resume resume = store.claim("c1");
        assertThat(resume.checkpoint()).isEqualTo(new Checkpoint(1, 3));
        assertThat(resume.done()).isEqualTo(Snapshot.ORIGIN);
        assertThat(resume.recorded()).containsExactly(one, one.then(new Snapshot("12:14:")));
        assertThat(resume.dispatched()).isEqualTo(new CheckpointStore.HighWater(2, 9));
    }

    @Test
    void checkpointsNeverMoveBackAndDoneBatchesAreForgotten() throws Exception {
        CheckpointStore store = newStore();
        CheckpointStore.Fence fence = store.claim("c1").fence();
        Batch one = new Batch(1, Snapshot.ORIGIN, new Snapshot("10:12:10"));
        Batch two = one.then(new Snapshot("12:14:"));
        store.dispatching(fence, one, 5);
        store.dispatching(fence, two, 9);
        store.save(fence, new Checkpoint(2, 4));
        store.save(fence, new Checkpoint(1, 5));
        CheckpointStore.Resume resume = store.claim("c1");
        assertThat(resume.checkpoint()).isEqualTo(new Checkpoint(2, 4));
        assertThat(resume.done()).isEqualTo(one.to());
        assertThat(resume.recorded()).containsExactly(two);
    }

    @Test
    void aClaimFencesOutTheEarlierHolder() {
        CheckpointStore store = newStore();
        CheckpointStore.Fence old = store.claim("c1").fence();
        CheckpointStore.Fence current = store.claim("c1").fence();
        assertThat(current.epoch()).isGreaterThan(old.epoch());
        assertThatThrownBy(() -> store.save(old, new Checkpoint(3, 0)))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThatThrownBy(() -> store.dispatching(old, new Batch(1, Snapshot.ORIGIN, new Snapshot("5:5:")), 1))
                .isInstanceOf(CheckpointStore.FencedException.class);
        assertThat(store.load("c1").orElseThrow().checkpoint()).isEqualTo(Checkpoint.START);
    }

    @Test
    void consumersAreIndependent() throws Exception {
        CheckpointStore store = newStore();
        store.save(store.claim("a").fence(), new Checkpoint(1, 1));
        store.save(store.claim("b").fence(), new Checkpoint(1, 2));
        assertThat(store.load("a").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(1, 1));
        assertThat(store.load("b").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(1, 2));
    }
}
