package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** The pipeline's handle on one event registered with its term's {@link Progress}. */
final class Ticket implements EventCompletion {
    private final Progress progress;
    final StreamEntry entry;
    private volatile boolean mayHaveRun;
    // Dropped at the first failed attempt: from then on this term's own deliveries count, and the store has them.
    private volatile SettledBefore readWith;
    private final Backoffs backoffs = new Backoffs();
    private final BooleanSupplier cancellation;
    private RetriedActions retried; // made at the first failed attempt; guarded by the ticket

    Ticket(Progress progress, StreamEntry entry, boolean mayHaveRun, SettledBefore readWith,
           BooleanSupplier cancellation) {
        this.progress = progress;
        this.entry = entry;
        this.mayHaveRun = mayHaveRun;
        this.readWith = readWith;
        this.cancellation = cancellation;
    }

    Ticket running() { // the event got its place and runs (StreamEntry.heldFor)
        entry.started(progress.now());
        return this;
    }

    @Override
    public Set<String> settledWhenRead(Collection<String> deliveryIds) {
        SettledBefore before = readWith;
        return before == null ? null : before.answer(deliveryIds);
    }

    @Override
    public boolean mayHaveRun() {
        return mayHaveRun;
    }

    /** An attempt failed: some actions may have run, so the next attempt consults the records. */
    @Override
    public void attemptFailed() {
        readWith = null;
        mayHaveRun = true;
        entry.retrying = true;
    }

    @Override
    public void attemptFailed(String observer, int action) {
        attemptFailed();
        synchronized (this) {
            if (retried == null) {
                retried = new RetriedActions();
            }
            retried.failed(observer, action);
        }
    }

    @Override
    public synchronized void retryGotThrough(String observer, int action) {
        if (retried == null) {
            retried = new RetriedActions(); // a failure the pipeline did not see, as a parked run's
        }
        retried.gotThrough(observer, action);
    }

    /** Whether the event is delivered after retries that got through ({@link RetriedActions}), not taken away. */
    private synchronized boolean deliveredAfterRetries() {
        return retried != null && retried.allAnswered() && !takenAway();
    }

    /** The event's entity is being parked: no attempt starts, a wait between two ends, the lot takes it over. */
    void parking() {
        readWith = null;
        backoffs.end();
    }

    /** The pipeline stops: the event does not wait to retry; it stops before its next attempt, not done. */
    void stopRetrying() {
        backoffs.stop();
    }

    @Override
    public void backoff(Duration wait, Sleeper sleeper) throws InterruptedException {
        backoffs.sleep(wait, sleeper);
    }

    @Override
    public boolean cancelled() {
        return backoffs.ended() || cancellation.getAsBoolean();
    }

    /**
     * Only a stop whose time ran out or a lost lock cuts the attempt under way (the term interrupts it): parking
     * lets it end, so its failure is the receiver's answer, counted as the failed attempt it is.
     */
    @Override
    public boolean cutsAttemptUnderWay() {
        return cancellation.getAsBoolean();
    }

    @Override
    public boolean takenAway() {
        return backoffs.ended();
    }

    /**
     * Not after a stop either: no wait starts then, so the retry the wait would announce is the consumer's next
     * holder's to make, in its own time.
     */
    @Override
    public boolean retriesAfterWait() {
        return !backoffs.ended() && !backoffs.stopped();
    }

    @Override
    public boolean firstAttemptsGo() {
        return !cancellation.getAsBoolean();
    }

    @Override
    public CheckpointStore.Fence fence() {
        return progress.fence();
    }

    @Override
    public void fenced(String why) {
        progress.fenced();
    }

    @Override
    public CheckpointSave done() {
        return progress.done(entry, deliveredAfterRetries());
    }
}
