package io.pgobserver.application;

/**
 * What the pipeline tells {@link ProcessEvent} about one event it hands over: whether the event may have run
 * before (then delivery records are consulted), whether this process may still dispatch, and what to save once
 * the event is done. A single event run alone (a replay, a test) uses {@link #NONE}.
 */
public interface EventCompletion {

    /** No checkpointing, never run before, never cancelled. */
    EventCompletion NONE = new EventCompletion() {
        @Override
        public boolean mayHaveRun() {
            return false;
        }

        @Override
        public boolean cancelled() {
            return false;
        }

        @Override
        public CheckpointSave done() {
            return null;
        }
    };

    /**
     * True when the event may have been dispatched before: read again after a restart below the dispatched
     * high-water mark, or run again after a failed attempt. Its settled actions are then skipped.
     */
    boolean mayHaveRun();

    /**
     * True once this process may no longer dispatch: it lost the consumer's lock or its place was claimed by
     * another process. The event must stop at once and is not done; the next holder runs it.
     */
    boolean cancelled();

    /**
     * Marks the event done (each of its actions ran or was dead-lettered). Returns a save to perform now when the
     * checkpoint advanced and a save is due, else null.
     */
    CheckpointSave done();

    /** A checkpoint save that is due: run it, traced as {@code save_checkpoint}. */
    interface CheckpointSave {
        /** The change_log id of the last event the checkpoint passes with this save. */
        long offset();

        /** How many events this save covers (saves are batched). */
        long eventsCovered();

        /** @throws RuntimeException when the save failed; the next save covers it */
        void run();
    }
}
