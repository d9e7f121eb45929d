package io.pgobserver.domain.testing;

import io.pgobserver.domain.port.Leadership;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** The in-memory fake of {@link Leadership}: instances sharing one {@link Lock} compete for it. */
public final class InMemoryLeadership implements Leadership {

    /** The lock a group of instances competes for. */
    public static final class Lock {
        private final AtomicReference<InMemoryLeadership> holder = new AtomicReference<>();
    }

    private final Lock lock;
    private volatile boolean dead;

    public InMemoryLeadership(Lock lock) {
        this.lock = lock;
    }

    public InMemoryLeadership() {
        this(new Lock());
    }

    @Override
    public boolean acquire(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (dead || !lock.holder.compareAndSet(null, this) && lock.holder.get() != this) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private volatile long unansweredUntilNanos;

    @Override
    public boolean isHeld() {
        if (System.nanoTime() < unansweredUntilNanos) {
            throw new IllegalStateException("the lock check got no answer (test: a slow database)");
        }
        return lock.holder.get() == this;
    }

    /** For {@code duration}, lock checks get no answer, as on a database too slow to reply; the lock stays held. */
    public void stopAnswering(java.time.Duration duration) {
        unansweredUntilNanos = System.nanoTime() + duration.toNanos();
    }

    @Override
    public boolean isHeldByAnyone() {
        return lock.holder.get() != null;
    }

    @Override
    public void release() {
        lock.holder.compareAndSet(this, null);
    }

    /** Takes the lock away, as a lost database session would. */
    public void lose() {
        release();
    }

    /** Takes the lock away for good, as the death of the process would: it never takes it again. */
    public void crash() {
        dead = true;
        release();
    }
}
