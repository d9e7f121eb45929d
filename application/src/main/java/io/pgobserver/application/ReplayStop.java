package io.pgobserver.application;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An operator's stop of a dead-letter replay (SIGINT, SIGTERM). The replay comes to no letter after it, begins no
 * further attempt and waits for no retry; an attempt already under way runs to its end, which the action's own
 * timeouts bound. Not an interrupt: that cut the attempt after the receiver had taken the request, and its answer,
 * delivered or not, was thrown away, so a letter the receiver had taken stayed in the queue as not delivered.
 */
public final class ReplayStop {

    private final CountDownLatch requested = new CountDownLatch(1);

    /** Stops the replay at its next letter, attempt or retry wait; from any thread (a signal's). */
    public void request() {
        requested.countDown();
    }

    public boolean requested() {
        return requested.getCount() == 0;
    }

    /**
     * A replay's letters as the pipeline's events, stopped by this: no attempt begins and no retry wait goes on after
     * it, and an attempt under way runs to its end (its answer decides: delivered, or in the queue).
     */
    EventCompletion completion() {
        return new EventCompletion() {
            @Override
            public boolean mayHaveRun() {
                return false;
            }

            @Override
            public boolean cancelled() {
                return requested();
            }

            @Override
            public boolean cutsAttemptUnderWay() {
                return false;
            }

            @Override
            public CheckpointSave done() {
                return null;
            }

            @Override
            public void backoff(Duration wait, Sleeper sleeper) throws InterruptedException {
                ReplayStop.this.backoff(wait);
            }
        };
    }

    /**
     * Waits out a retry's backoff, ended at once by the stop.
     *
     * @throws InterruptedException when the stop came before or during the wait: the retry is not made
     */
    private void backoff(Duration wait) throws InterruptedException {
        if (requested.await(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS)) {
            throw new InterruptedException("stopped while waiting to retry");
        }
    }
}
