package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;

import java.util.function.BooleanSupplier;

/**
 * How a parked event runs: it may have run in part before it was parked (so delivery records are consulted), it was
 * done for the checkpoint when it was parked, and the term ending stops it.
 */
final class ParkedRun implements EventCompletion {

    private final CheckpointStore.Fence fence;
    private final BooleanSupplier over;
    private final Runnable onFenced;

    ParkedRun(CheckpointStore.Fence fence, BooleanSupplier over, Runnable onFenced) {
        this.fence = fence;
        this.over = over;
        this.onFenced = onFenced;
    }

    @Override
    public boolean mayHaveRun() {
        return true;
    }

    @Override
    public boolean cancelled() {
        return over.getAsBoolean();
    }

    @Override
    public CheckpointSave done() {
        return null; // parked events were done for the checkpoint when they were parked
    }

    @Override
    public CheckpointStore.Fence fence() {
        return fence;
    }

    @Override
    public void fenced(String why) {
        onFenced.run();
    }
}
