package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An operator's stop of a dead-letter replay (SIGINT, SIGTERM). The replay comes to no letter after it, begins no
 * further attempt and waits for no retry; an attempt already under way runs to its end, which the action's own
 * timeouts bound. Not an interrupt: that cut the attempt after the receiver had taken the request, and its answer,
 * delivered or not, was thrown away, so a letter the receiver had taken stayed in the queue as not delivered.
 */
public final class ReplayStop {

    /**
     * How long a statement under way when the stop comes may still take before the stop ends the replay at once. A
     * database that answers does so in milliseconds; ended at once there, the stop lost the replay's own ending (its
     * counts, the letters left) and left the removal of a delivered letter in doubt, for a database that was fine.
     */
    public static final Duration UNANSWERED = Duration.ofSeconds(2);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final Consumer<String> atOnce;
    private final Duration unanswered;
    /**
     * What the replay waits for the database for now (reading the queue, claiming a letter, its delivery log, an
     * email's recipients in that log, ending the claim), or null; guarded by this.
     */
    private String waiting;
    /** Counts the replay's database calls, so that the stop's watch tells the call it saw from a later one. */
    private long calls;

    /** A stop that waits for whatever the replay waits for. */
    public ReplayStop() {
        this(what -> { });
    }

    /**
     * @param atOnce told, on a stop that comes while the replay waits for the database between two actions, or for
     *               an email's recipients in the delivery log (what it waits for), or before such a call begins, and
     *               that has not answered {@link #UNANSWERED} later, to end the replay at once: a database that does
     *               not answer holds a statement no interrupt ends, and no receiver is left unsure by ending there
     *               (the recipients an email reached, not recorded, may get it again from the next replay, as after a
     *               second signal)
     */
    public ReplayStop(Consumer<String> atOnce) {
        this(atOnce, UNANSWERED);
    }

    ReplayStop(Consumer<String> atOnce, Duration unanswered) {
        this.atOnce = atOnce;
        this.unanswered = unanswered;
    }

    /** Stops the replay at its next letter, attempt or retry wait; from any thread (a signal's). */
    public synchronized void request() {
        requested.countDown();
        if (waiting != null) {
            watch(calls);
        }
    }

    /** Starts the watch on database call {@code call}; lock held. */
    private void watch(long call) {
        // Not on the signal's thread: a second signal must still be heard meanwhile.
        Thread.ofPlatform().daemon().name("dlq-replay-stop").start(() -> endIfUnanswered(call));
    }

    /** Ends the replay at once when database call {@code call} is still under way {@code unanswered} from now. */
    private synchronized void endIfUnanswered(long call) {
        long deadline = System.nanoTime() + unanswered.toNanos();
        try {
            for (long left = unanswered.toNanos(); calls == call && waiting != null && left > 0;
                 left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (calls == call && waiting != null) {
            atOnce.accept(waiting);
        }
    }

    /**
     * Asks the database what {@code call} asks, saying what it waits for: a stop meanwhile, or one that came before it
     * began, ends the replay at once ({@code atOnce}) when the call has still not answered {@link #UNANSWERED} after
     * the later of the two; one that answers lets the replay stop as at its next letter. A call begun after the stop
     * is one of the letter under way (claiming and reading it, the recipients its attempt begun before the stop reads
     * before it sends, recording and removing what it delivered, ending its claim): it starts, watched, since not
     * started it would leave the letter's line unsaid or a delivered letter in the queue, and unwatched a database
     * that does not answer held the stopped replay until a second signal. The calls nothing needs after a stop do not
     * start: the next page of the queue, the next letter's claim ({@link ReplayDeadLetters#replayUpTo}).
     */
    public <T, E extends Exception> T database(String what, Call<T, E> call) throws E {
        synchronized (this) {
            calls++;
            waiting = what;
            if (requested()) {
                watch(calls);
            }
        }
        try {
            return call.get();
        } finally {
            synchronized (this) {
                waiting = null;
                notifyAll(); // the stop's watch: it answered
            }
        }
    }

    /** A call to the database, which may throw what the port's method does (an interrupt, say). */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T get() throws E;
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
            public Deliveries partsLog(Deliveries log) {
                return watched(log);
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
     * The delivery log, each call a database call of the replay's ({@link #database}): an email's attempt reads the
     * recipients a former one reached before it sends, and records those it reached when others were refused.
     */
    private Deliveries watched(Deliveries log) {
        return new Deliveries() {
            @Override
            public Set<String> settled(Collection<String> deliveryIds) {
                return database("reading which recipients of an email a former attempt reached, from the delivery "
                        + "log; it sends nothing before that: its letter stays in the queue",
                        () -> log.settled(deliveryIds));
            }

            @Override
            public void record(CheckpointStore.Fence fence, long offset, Collection<String> deliveryIds)
                    throws CheckpointStore.FencedException, InterruptedException {
                // Handed out, not thrown: a call throws one kind of checked exception, and the log's wait is the other.
                CheckpointStore.FencedException fenced = database("recording the recipients an email reached before "
                        + "others were refused, in the delivery log: its letter stays in the queue, and the next "
                        + "replay may send them the mail again", () -> {
                    try {
                        log.record(fence, offset, deliveryIds);
                        return null;
                    } catch (CheckpointStore.FencedException e) {
                        return e;
                    }
                });
                if (fenced != null) {
                    throw fenced;
                }
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
