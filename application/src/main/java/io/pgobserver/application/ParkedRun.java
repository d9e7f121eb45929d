package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.port.CheckpointStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * How a parked event runs: it may have run in part before it was parked (so delivery records are consulted), it was
 * done for the checkpoint when it was parked, and the term ending stops it.
 *
 * <p>It does not wait between an action's attempts on its drain place: a receiver down for hours would hold the place
 * through every wait, and with {@code max_in_flight} such entities parked, an entity whose receiver recovered would
 * wait behind them for hours. Its run ends there instead ({@link #waiting}), the attempts made counted here, and the
 * same run goes on in a later drain turn once the wait has passed ({@link WaitingRoom}): the observer's retry policy
 * (attempts, backoff, dead letter when they run out) is the one it had. A wait at the whole event or at a store write
 * is slept on the place, as before: those are the database's, every entity's alike.
 */
final class ParkedRun implements EventCompletion {

    /** The attempts one action of one observer made; observer names are the configuration's own strings. */
    private record Made(String observer, int action, int attempts) {
    }

    private final long offset;
    private final CheckpointStore.Fence fence;
    private final BooleanSupplier over;
    private final Runnable onFenced;
    private final List<Made> made = new ArrayList<>(1); // most events have one action that retries; guarded by this
    private volatile boolean waiting;
    private long dueNanos; // guarded by this

    /** @param offset the change_log id of the event it runs: a run carried over goes on with that event only */
    ParkedRun(long offset, CheckpointStore.Fence fence, BooleanSupplier over, Runnable onFenced) {
        this.offset = offset;
        this.fence = fence;
        this.over = over;
        this.onFenced = onFenced;
    }

    long offset() {
        return offset;
    }

    /** Whether the run ended to wait for an action's next attempt, due at {@link #dueNanos}. */
    boolean waiting() {
        return waiting;
    }

    /** When the next attempt is due ({@link System#nanoTime}): the latest due of the actions that wait. */
    synchronized long dueNanos() {
        return dueNanos;
    }

    /** The run carried over, its wait over: it goes on with the attempts it made. */
    ParkedRun again() {
        waiting = false;
        return this;
    }

    @Override
    public synchronized int attemptsMade(String observer, int action) {
        for (Made m : made) {
            if (m.action() == action && m.observer().equals(observer)) {
                return m.attempts();
            }
        }
        return 0;
    }

    @Override
    public void actionBackoff(String observer, int action, int attempt, Duration wait, Sleeper sleeper)
            throws InterruptedException {
        synchronized (this) { // observers of the event run side by side: each action that waits counts here
            made.removeIf(m -> m.action() == action && m.observer().equals(observer));
            made.add(new Made(observer, action, attempt));
            long due = System.nanoTime() + wait.toNanos();
            dueNanos = waiting && dueNanos - due > 0 ? dueNanos : due; // none may retry before its own wait is over
            waiting = true;
        }
        throw new InterruptedException("gives its drain place up until its next attempt, in "
                + Durations.format(wait));
    }

    /**
     * Its actions' waits are their retry policy's: {@link #actionBackoff} counts each one's, and the run's next turn
     * comes once the longest is over, also for an action whose attempt failed after another's wait ended the run.
     */
    @Override
    public boolean retriesAfterWait() {
        return true;
    }

    @Override
    public boolean mayHaveRun() {
        return true;
    }

    /**
     * Stopped: the term is over, or the event waits (observers beside the one that waits stop before their next
     * attempt).
     */
    @Override
    public boolean cancelled() {
        return waiting || over.getAsBoolean();
    }

    /**
     * Unless the lot stops: an action that has made no attempt yet makes its first though another's wait ended the
     * run, as in the stream. Stopped before it, an observer started a moment late had its delivery wait for the other's
     * retry, a turn later, its own receiver answering.
     */
    @Override
    public boolean firstAttemptsGo() {
        return !over.getAsBoolean();
    }

    /**
     * Only the lot's stop cuts attempts under way (it interrupts the drainers): an event stopped because another
     * observer's action waits to retry lets this attempt end, and its failure is its receiver's.
     */
    @Override
    public boolean cutsAttemptUnderWay() {
        return over.getAsBoolean();
    }

    /** An event that waits is taken away as a parked one is: what it delivered is recorded before it goes. */
    @Override
    public boolean takenAway() {
        return waiting;
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
