package io.pgobserver.application;

import io.pgobserver.domain.port.Leadership;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long this process may go on dispatching without hearing from the lock: the lease. A watch thread confirms
 * {@link Leadership#isHeld()} every {@link #CHECK_EVERY}; a process whose last confirmation is older than
 * {@link #LEASE} (its lock's session died, or the database stopped answering) dispatches nothing more. A check
 * that fails without an answer (it timed out on a slow database) confirms nothing and ends nothing: the next check
 * asks again, and only a lease gone by without a confirmation, or a clear "not held", ends the term.
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
                    if (leadership.isHeld()) {
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
                } catch (RuntimeException e) {
                    // No answer is not a "no": the lock may well still be ours. Ask again; only the lease decides.
                    if (unanswered == null) {
                        LOG.log(System.Logger.Level.WARNING, "the lock check did not answer (" + e.getMessage()
                                + "); asking again within the lease");
                    }
                    unanswered = e.getMessage();
                }
                if (!valid()) {
                    expire(notConfirmed(unanswered));
                }
            }
        } catch (InterruptedException e) {
            // The term ended.
        }
    }

    private String notConfirmed(String unanswered) {
        return "the lock was not confirmed for " + leaseNanos / 1_000_000 + " ms"
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
