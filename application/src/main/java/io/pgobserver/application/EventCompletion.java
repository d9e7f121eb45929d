package io.pgobserver.application;

import io.pgobserver.domain.event.ChangeEvent;

/**
 * What the pipeline tells {@link ProcessEvent} about checkpoints: whether an event may be a redelivery, and
 * what to save once it is done. The pipeline implements it; a single event run alone uses {@link #NONE}.
 */
public interface EventCompletion {

    /** No checkpointing: for replays and tests of one event. */
    EventCompletion NONE = new EventCompletion() {
        @Override
        public boolean recoveredFromCheckpoint(ChangeEvent event) {
            return false;
        }

        @Override
        public CheckpointSave done(ChangeEvent event) {
            return null;
        }
    };

    /** True when the event was read right after a restart from a saved checkpoint, so may have run before. */
    boolean recoveredFromCheckpoint(ChangeEvent event);

    /**
     * Marks the event done (its actions ran or were dead-lettered). Returns a save to perform now when the
     * checkpoint advanced and a save is due, else null.
     */
    CheckpointSave done(ChangeEvent event);

    /** A checkpoint save that is due: run it, traced as {@code save_checkpoint}. */
    interface CheckpointSave {
        /** The offset the checkpoint moves to. */
        long offset();

        /** How many events this save covers (saves are batched). */
        long eventsCovered();

        void run();
    }
}
