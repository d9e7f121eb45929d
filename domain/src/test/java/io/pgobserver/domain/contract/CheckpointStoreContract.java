package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.Batch;
import io.pgobserver.domain.event.Checkpoint;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointStore.Fence;
import io.pgobserver.domain.port.CheckpointStore.FencedException;
import io.pgobserver.domain.port.CheckpointStore.HighWater;
import io.pgobserver.domain.port.CheckpointStore.Resume;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link CheckpointStore} must do. Extend it with a factory for the implementation under test. */
public abstract class CheckpointStoreContract {

    private static final Snapshot S1 = new Snapshot("10:12:10", new Snapshot.Bounds(12, 40, 41));
    private static final Snapshot S2 = new Snapshot("12:15:", new Snapshot.Bounds(14, 41, 45));
    private static final Snapshot S3 = new Snapshot("15:20:17,18");
    private static final Batch B1 = new Batch(1, Snapshot.ORIGIN, S1);
    private static final Batch B2 = B1.then(S2);
    private static final Batch B3 = B2.then(S3);

    /** A fresh, empty store. */
    protected abstract CheckpointStore newStore();

    @Test
    void anUnknownConsumerHasNoCheckpoint() {
        assertThat(newStore().load("nobody")).isEmpty();
    }

    @Test
    void aNewConsumerStartsAtTheOrigin() {
        CheckpointStore store = newStore();
        Resume resume = store.claim("c1");
        assertThat(resume.checkpoint()).isEqualTo(Checkpoint.START);
        assertThat(resume.done()).isEqualTo(Snapshot.ORIGIN);
        assertThat(resume.recorded()).isEmpty();
        assertThat(resume.dispatched()).isEqualTo(HighWater.NONE);
        assertThat(resume.fence().consumer()).isEqualTo("c1");
        CheckpointStore.Saved saved = store.load("c1").orElseThrow();
        assertThat(saved.checkpoint()).isEqualTo(Checkpoint.START);
        assertThat(saved.done()).isEqualTo(Snapshot.ORIGIN);
        assertThat(saved.epoch()).isEqualTo(resume.fence().epoch());
    }

    /**
     * A claim waits out the earlier holder's lease unless nothing of it can still run: the consumer never had a
     * holder, or the last one released its place after a clean stop. A release counts for the next claim only.
     */
    @Test
    void aClaimIsHandedOverOnlyAfterACleanReleaseOrWhenThereWasNoHolder() throws Exception {
        CheckpointStore store = newStore();
        Resume first = store.claim("c1");
        assertThat(first.handedOver()).as("first holder ever").isTrue();
        Resume second = store.claim("c1");
        assertThat(second.handedOver()).as("the first holder never released: it may still run").isFalse();
        assertThatThrownBy(() -> store.release(first.fence())).isInstanceOf(FencedException.class);
        store.release(second.fence());
        Resume third = store.claim("c1");
        assertThat(third.handedOver()).as("after a clean release").isTrue();
        assertThat(store.claim("c1").handedOver()).as("the third holder never released").isFalse();
        assertThat(store.claim("c2").handedOver()).as("another consumer's first holder").isTrue();
    }

    @Test
    void recordedBatchesAndTheHighWaterMarkAreResumed() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.dispatching(fence, B1, 40);
        store.dispatching(fence, B2, 7);
        store.dispatching(fence, B2, 5);
        store.save(fence, new Checkpoint(2, 3));

        Resume resume = store.claim("c1");
        assertThat(resume.checkpoint()).isEqualTo(new Checkpoint(2, 3));
        assertThat(resume.done()).isEqualTo(S1);
        assertThat(resume.recorded()).containsExactly(B2);
        assertThat(resume.dispatched()).isEqualTo(new HighWater(2, 7));
    }

    /** A restart re-reads a batch with the same bounds it was first read with, and snapshots without any. */
    @Test
    void snapshotsKeepTheirBoundsOrTheirLackOfThem() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.dispatching(fence, B1, 9);
        store.dispatching(fence, B2, 9);
        store.dispatching(fence, B3, 9);
        store.save(fence, new Checkpoint(2, 0));

        Resume resume = store.claim("c1");
        assertThat(resume.done()).isEqualTo(S1);
        assertThat(resume.done().bounds()).isEqualTo(new Snapshot.Bounds(12, 40, 41));
        assertThat(resume.recorded()).containsExactly(B2, B3);
        assertThat(resume.recorded().getFirst().from().bounds()).isEqualTo(S1.bounds());
        assertThat(resume.recorded().getLast().to().bounded()).isFalse();
        assertThatThrownBy(() -> store.dispatching(resume.fence(), new Batch(3, S2, new Snapshot(S3.value(),
                new Snapshot.Bounds(19, 50, 50))), 10)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBatchIsRecordedOnceAndADifferentOneUnderItsNumberIsRefused() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.dispatching(fence, B1, 1);
        store.dispatching(fence, B1, 2);
        assertThatThrownBy(() -> store.dispatching(fence, new Batch(1, Snapshot.ORIGIN, S2), 3))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.claim("c1").recorded()).containsExactly(B1);
    }

    @Test
    void checkpointsNeverMoveBack() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.dispatching(fence, B1, 50);
        store.dispatching(fence, B2, 50);
        store.save(fence, new Checkpoint(2, 42));
        store.save(fence, new Checkpoint(1, 50));
        store.save(fence, new Checkpoint(2, 41));
        assertThat(store.load("c1").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(2, 42));
        store.save(fence, new Checkpoint(3, 0));
        assertThat(store.load("c1").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(3, 0));
        assertThat(store.load("c1").orElseThrow().done()).isEqualTo(S2);
    }

    @Test
    void savingPrunesOnlyBatchesNoLongerNeeded() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.dispatching(fence, B1, 9);
        store.dispatching(fence, B2, 9);
        store.dispatching(fence, B3, 9);
        store.save(fence, new Checkpoint(3, 4));
        Resume resume = store.claim("c1");
        assertThat(resume.done()).isEqualTo(S2);
        assertThat(resume.recorded()).containsExactly(B3);
    }

    @Test
    void aClaimFencesOutTheEarlierHolder() throws Exception {
        CheckpointStore store = newStore();
        Fence old = store.claim("c1").fence();
        store.dispatching(old, B1, 10);
        Fence current = store.claim("c1").fence();
        assertThat(current.epoch()).isGreaterThan(old.epoch());

        assertThatThrownBy(() -> store.save(old, new Checkpoint(2, 0))).isInstanceOf(FencedException.class);
        assertThatThrownBy(() -> store.dispatching(old, B2, 3)).isInstanceOf(FencedException.class);
        assertThat(store.load("c1").orElseThrow().checkpoint()).isEqualTo(Checkpoint.START);
        assertThat(store.load("c1").orElseThrow().dispatched()).isEqualTo(new HighWater(1, 10));
        assertThat(store.claim("c1").recorded()).containsExactly(B1);
    }

    @Test
    void loadingClaimsNothing() throws Exception {
        CheckpointStore store = newStore();
        Fence fence = store.claim("c1").fence();
        store.load("c1");
        store.dispatching(fence, B1, 1);
        store.save(fence, new Checkpoint(1, 1));
        assertThat(store.load("c1").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(1, 1));
    }

    @Test
    void consumersAreIndependent() throws Exception {
        CheckpointStore store = newStore();
        Fence a = store.claim("a").fence();
        Fence b = store.claim("b").fence();
        store.dispatching(a, B1, 5);
        store.save(a, new Checkpoint(2, 0));
        store.claim("a");
        store.save(b, new Checkpoint(1, 7));
        assertThat(store.load("a").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(2, 0));
        assertThat(store.load("b").orElseThrow().checkpoint()).isEqualTo(new Checkpoint(1, 7));
        assertThat(store.load("b").orElseThrow().dispatched()).isEqualTo(HighWater.NONE);
    }
}
