package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;

import java.util.Collection;
import java.util.Set;

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
     * Of these delivery ids, the ones already known settled, read with the event's page when it was read again after
     * a restart; null when not known that way (then the delivery log is asked). Only for the event's first attempt.
     */
    default Set<String> settledWhenRead(Collection<String> deliveryIds) {
        return null;
    }

    /**
     * True once this process may no longer dispatch (it lost the consumer's lock or its place was claimed by another
     * process), or a stop's time ran out and cut the event. The event must stop at once, waiting for nothing more,
     * and is not done; the next holder runs it.
     */
    boolean cancelled();

    /**
     * Whether {@link #cancelled} also cuts the attempt under way, so that its failure is taken as cut off, not as the
     * receiver's answer ({@link #cut}). The pipeline's events: a stop whose time ran out, or a lost lock, interrupts
     * the attempt (its interrupt may be spent on the request, so it is marked before); parking does not: it lets the
     * attempt end, and the attempt's failure is the receiver's (a 503, a timeout), the one an operator must see. A
     * parked event's run: only the lot's stop, which interrupts its drainers. A dead-letter replay's stop lets the
     * attempt end: its answer, a refusal among them, is the letter's.
     */
    default boolean cutsAttemptUnderWay() {
        return true;
    }

    /**
     * True once the event is cut ({@link #cancelled} and {@link #cutsAttemptUnderWay}): a failed attempt then stops
     * the action, neither a failed attempt in the metrics nor a reason to be unready, and whoever runs the event next
     * makes the next attempt; a dead letter is not written. An event only taken away ({@link #takenAway}) is not cut:
     * the failure of its attempt under way counts, and the dead letter its last attempt calls for is written, so that
     * the retry policy and the dead letters see every attempt made.
     */
    default boolean cut() {
        return cancelled() && cutsAttemptUnderWay();
    }

    /**
     * Whether an action that has made no attempt yet at this event may make its first: unless {@link #cancelled} for
     * another reason than being {@linkplain #takenAway taken away}. The parking stops the event before its next
     * attempt, not the attempt under way, whose actions run side by side: an observer started late (a busy machine)
     * had its delivery wait for the parking lot, whose places rows retried for a receiver that is down hold. The same
     * holds in a parked run that another action's wait ended ({@link ParkedRun}), and for the read of the delivery
     * records that comes before an observer's first attempts.
     */
    default boolean firstAttemptsGo() {
        return !cancelled();
    }

    /**
     * The delivery log as the event's attempts read and write the parts of a delivery they did ({@link ActionParts}:
     * an email's recipients reached): as it is, but for a dead-letter replay, whose stop watches each of its calls
     * ({@link ReplayStop#database}) as it watches the replay's own, so that a database holding the log does not hold
     * the stopped replay.
     */
    default Deliveries partsLog(Deliveries log) {
        return log;
    }

    /**
     * True once the event was taken away because its entity is being parked: it stops, not done, and the parking lot
     * runs it again in order. Not a failure of the event's own (its failed attempts carry their errors).
     */
    default boolean takenAway() {
        return false;
    }

    /**
     * Marks the event done (each of its actions ran or was dead-lettered). Returns a save to perform now when the
     * checkpoint advanced and a save is due, else null.
     */
    CheckpointSave done();

    /**
     * An attempt at the event failed and will be made again (an action's retry, or the whole event's): the event may
     * have run in part, and its entity is retrying, which is what lets the pipeline park it when it holds others back.
     */
    default void attemptFailed() {
    }

    /** An attempt of action {@code action} of {@code observer} failed, to be made again ({@link #attemptFailed()}). */
    default void attemptFailed(String observer, int action) {
        attemptFailed();
    }

    /**
     * An attempt of action {@code action} of {@code observer} made after a failed one succeeded: its receiver answers.
     * Once every action retried at the event got through so and the event is done, a receiver that fails some
     * requests, or the first of each, is not taken for one that is down ({@code listener.park_after}).
     */
    default void retryGotThrough(String observer, int action) {
    }

    /**
     * Waits between two attempts: at an action, at a store write the event needs (delivery records, a dead letter),
     * or at the whole event. The pipeline's wait ends at once when the event is taken away or the pipeline stops.
     */
    default void backoff(java.time.Duration wait, Sleeper sleeper) throws InterruptedException {
        sleeper.sleep(wait);
    }

    /**
     * Attempts that action {@code action} of {@code observer} made at this event in earlier runs, counted toward its
     * retry policy: none but for a parked event that gave its drain place up while it waited to retry.
     */
    default int attemptsMade(String observer, int action) {
        return 0;
    }

    /**
     * Waits before an action's next attempt, attempt {@code attempt} having failed: {@link #backoff} but for a
     * parked event, whose run ends here instead (its attempts counted, its next attempt made in a new drain turn once
     * {@code wait} has passed), so that a drain place is held by attempts running, not by waits.
     */
    default void actionBackoff(String observer, int action, int attempt, java.time.Duration wait, Sleeper sleeper)
            throws InterruptedException {
        backoff(wait, sleeper);
    }

    /**
     * Whether an action's next attempt, after one that failed and was not its last, follows once the retry policy's
     * wait is over ({@link #actionBackoff}), as the attempt's span says ({@code retry_in_ms}): unless the event was
     * {@linkplain #takenAway taken away} by then, its next attempt the parking lot's to make (in the lane's turn,
     * its attempts counted anew), or the pipeline stopped (the consumer's next holder makes it). A parked run's does,
     * even beside another action that waits: its next turn comes once every action's wait is over.
     */
    default boolean retriesAfterWait() {
        return !takenAway();
    }

    /** {@code sleeper}'s waits as {@link #backoff} waits: for the retry loops that take a {@link Sleeper}. */
    default Sleeper backoffs(Sleeper sleeper) {
        return wait -> backoff(wait, sleeper);
    }

    /**
     * The claim under which the event's side effects (delivery records, dead letters) are written: a process that
     * lost its place writes none of them. Null for an event run outside the pipeline (a replay).
     */
    default CheckpointStore.Fence fence() {
        return null;
    }

    /** A fenced write found that another process claimed the consumer: this process must stop dispatching. */
    default void fenced(String why) {
    }

    /** A checkpoint save that is due: run it, traced as {@code save_checkpoint}. */
    interface CheckpointSave {
        /** The change_log id of the last event the checkpoint passes with this save. */
        long offset();

        /** How many events this save covers (saves are batched). */
        long eventsCovered();

        /** @throws RuntimeException when the save failed; the next save covers it */
        void run();

        /** Runs the save, if there is one, and logs a failure: the events stay done, and the next save covers them. */
        static void runLogged(CheckpointSave save) {
            if (save == null) {
                return;
            }
            try {
                save.run();
            } catch (RuntimeException e) {
                System.getLogger(EventCompletion.class.getName()).log(System.Logger.Level.WARNING,
                        "checkpoint save failed; the next save covers it: " + e.getMessage());
            }
        }
    }
}
