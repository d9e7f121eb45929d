package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.port.Leadership;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * How long this process may go on dispatching without hearing from the lock: the lease. A watch thread confirms
 * {@link Leadership#isHeld()} every {@link #CHECK_EVERY}; a process whose last confirmation is older than
 * {@link #LEASE} (its lock's session died, or the database stopped answering) dispatches nothing more. A check
 * that fails without an answer (it timed out on a slow database) confirms nothing and ends nothing: the next check
 * asks again, and only a lease gone by without a confirmation, or a clear "not held", ends the term. A check that
 * does not return at all (a frozen database, or one cut off by the network, answers nothing and the socket waits)
 * is waited for no longer than the lease: the term ends on time, and the check runs on till its socket gives up.
 *
 * <p>The other half is in {@link EventPipeline}: a process that has just taken the lock waits one lease
 * before it dispatches, by which time any earlier holder's lease has run out. Together they keep one entity from
 * running in two processes at once, even when only the lock's session dies and the old holder still reaches the
 * database (its checkpoint writes are fenced as well, by the store's epoch). An action already on the wire when
 * the lease runs out finishes (bounded by its timeout); no new attempt starts.
 */
final class LeaderLease {

    /** How long a confirmation of the lock is good for. */
    static final Duration LEASE = Duration.ofSeconds(3);

    private static final System.Logger LOG = System.getLogger(LeaderLease.class.getName());

    private final Leadership leadership;
    private final long leaseNanos;
    private final LongSupplier nanoClock;
    private final Runnable onLost;
    private volatile long confirmedAtNanos;
    private volatile boolean lost;
    private volatile boolean stopped;
    private volatile Thread watch;
    private volatile Thread checking;

    LeaderLease(Leadership leadership, Duration lease, LongSupplier nanoClock, Runnable onLost) {
        this.leadership = leadership;
        this.leaseNanos = lease.toNanos();
        this.nanoClock = nanoClock;
        this.onLost = onLost;
        this.confirmedAtNanos = nanoClock.getAsLong();
    }

    /** Starts watching the lock, which was just acquired. */
    void start(String consumer) {
        watch = Thread.ofVirtual().name("pgobserver-lease-" + consumer).start(this::watchLock);
    }

    /** How long a confirmation is good for: how long an earlier holder may go on after its lock session died. */
    Duration length() {
        return Duration.ofNanos(leaseNanos);
    }

    /** Whether this process may still dispatch. */
    boolean valid() {
        return !lost && nanoClock.getAsLong() - confirmedAtNanos < leaseNanos;
    }

    /**
     * Stops watching (the term is over), and waits (up to a lease) for a check under way to end, so that the lock's
     * release, which follows, is not read as a lost lock. A check the stop interrupts answers "not held" (its
     * session closes with the interrupt): that is the stop, not a lost role, and it is not reported. A lease that ran
     * out still is.
     */
    void stop() {
        stopped = true;
        Thread check = checking;
        if (check != null) {
            check.interrupt(); // as before the check had a thread of its own: the stop closes its session
        }
        Thread thread = watch;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofNanos(leaseNanos));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the caller releases the lock all the same
            }
        }
    }

    private void watchLock() {
        String unanswered = null;
        try {
            while (!lost) {
                // Several confirmations per lease, so that one slow or failed check does not end it.
                Thread.sleep(Duration.ofNanos(leaseNanos / 6));
                long asked = nanoClock.getAsLong();
                try {
                    Boolean held = answerWithinLease(ask());
                    if (held == null) {
                        expire(notConfirmed(unanswered != null ? unanswered : "no answer from PostgreSQL yet"));
                    } else if (held) {
                        confirmedAtNanos = asked;
                        unanswered = null;
                    } else if (stopped) {
                        // The stop's interrupt closed the check's session: that is the stop, not a lost role. But a
                        // term that ended because the lease ran out is reported, as the check would have.
                        if (!valid()) {
                            expire(notConfirmed(unanswered));
                        }
                        return;
                    } else {
                        expire("the consumer's lock is no longer held");
                    }
                } catch (ExecutionException e) {
                    // No answer is not a "no": the lock may well still be ours. Ask again; only the lease decides.
                    if (unanswered == null) {
                        LOG.log(System.Logger.Level.WARNING, "the lock check did not answer ("
                                + e.getCause().getMessage() + "); asking again within the lease");
                    }
                    unanswered = e.getCause().getMessage();
                }
                if (!valid()) {
                    expire(notConfirmed(unanswered));
                }
            }
        } catch (InterruptedException e) {
            // The term ended; if it ended because the lease ran out, that is reported as the watch would have.
            if (!valid()) {
                expire(notConfirmed(unanswered));
            }
        }
    }

    /** Runs one check on a thread of its own, so that a check stuck on a silent socket holds nothing else up. */
    private CompletableFuture<Boolean> ask() {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        checking = Thread.ofVirtual().name(Thread.currentThread().getName() + "-check").start(() -> {
            try {
                answer.complete(leadership.isHeld());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    /** The check's answer, or null when the lease ran out first. */
    private Boolean answerWithinLease(CompletableFuture<Boolean> answer) throws InterruptedException,
            ExecutionException {
        while (true) {
            long left = leaseNanos - (nanoClock.getAsLong() - confirmedAtNanos);
            if (left <= 0 && !answer.isDone()) {
                return null;
            }
            try {
                // In slices: the lease is read on the pipeline's clock, which need not be the one get() waits on.
                return answer.get(Math.max(1, Math.min(left, leaseNanos / 6)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // Not yet: look at the lease again.
            }
        }
    }

    private String notConfirmed(String unanswered) {
        return "the lock was not confirmed for " + Durations.format(Duration.ofNanos(leaseNanos))
                + (unanswered == null ? "" : " (last check: " + unanswered + ")");
    }

    private void expire(String why) {
        // Also after a stop: a term that ended because the lease ran out (it checks the lease itself) is reported
        // here, once the check that could not answer returns.
        if (!lost) {
            lost = true;
            LOG.log(System.Logger.Level.WARNING, "stopping dispatch at once: " + why);
            onLost.run();
        }
    }
}
