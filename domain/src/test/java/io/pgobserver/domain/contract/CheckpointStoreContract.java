package io.pgobserver.domain.contract;

import io.pgobserver.domain.event.Position;
import io.pgobserver.domain.port.CheckpointStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link CheckpointStore} must do. Extend it with a factory for the implementation under test. */
public abstract class CheckpointStoreContract {

    /** A fresh, empty store. */
    protected abstract CheckpointStore newStore();

    @Test
    void anUnknownConsumerHasNoCheckpoint() {
        assertThat(newStore().load("nobody")).isEmpty();
    }

    @Test
    void aSavedPositionIsLoadedBack() {
        CheckpointStore store = newStore();
        store.save("c1", new Position(10, 42));
        assertThat(store.load("c1")).contains(new Position(10, 42));
    }

    @Test
    void checkpointsNeverMoveBack() {
        CheckpointStore store = newStore();
        store.save("c1", new Position(10, 42));
        store.save("c1", new Position(9, 50));
        assertThat(store.load("c1")).contains(new Position(10, 42));
        store.save("c1", new Position(11, 1));
        assertThat(store.load("c1")).contains(new Position(11, 1));
    }

    @Test
    void consumersAreIndependent() {
        CheckpointStore store = newStore();
        store.save("a", new Position(1, 1));
        store.save("b", new Position(2, 2));
        assertThat(store.load("a")).contains(new Position(1, 1));
        assertThat(store.load("b")).contains(new Position(2, 2));
    }
}
