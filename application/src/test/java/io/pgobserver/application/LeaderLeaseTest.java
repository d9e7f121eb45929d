package io.pgobserver.application;

import io.pgobserver.domain.port.Leadership;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease ends the term when the lock is gone, and only then: a stop is not a lost lock. */
class LeaderLeaseTest {

    /** A lock whose checks answer as told; a check can be held until it is interrupted, as a stop does. */
    private static final class ScriptedLock implements Leadership {
        final CountDownLatch checking = new CountDownLatch(1);
        volatile boolean held = true;
        volatile boolean blockUntilInterrupted;
        /** A paused database: the check answers nothing until this opens, whatever interrupts it. */
        volatile CountDownLatch pausedUntil;

        @Override
        public boolean acquire(Duration maxWait) {
            return true;
        }

        @Override
        public boolean isHeld() {
            checking.countDown();
            CountDownLatch paused = pausedUntil;
            if (paused != null) {
                boolean interrupted = false;
                while (paused.getCount() > 0) {
                    try {
                        paused.await();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the lock check got no answer within 2 s");
            }
            if (blockUntilInterrupted) {
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    // As the advisory lock's check: the interrupt closes its session, and with it the lock.
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return held;
        }

        @Override
        public void release() {
            held = false;
        }
    }

    @Test
    void aCheckThatAStopInterruptsIsNotReportedAsALostLock() throws Exception {
        ScriptedLock lock = new ScriptedLock();
        lock.blockUntilInterrupted = true;
        AtomicInteger lost = new AtomicInteger();
        AtomicLong now = new AtomicLong(); // the lease does not run out, however slowly this machine runs
        LeaderLease lease = new LeaderLease(lock, Duration.ofMillis(60), now::get, lost::incrementAndGet);
        lease.start("c");
        assertThat(lock.checking.await(10, TimeUnit.SECONDS)).isTrue();

        lease.stop();
        lock.release();

        assertThat(lost).hasValue(0);
    }

    @Test
    void aLeaseThatRanOutIsReportedEvenWhenTheTermEndedFirst() throws Exception {
        ScriptedLock lock = new ScriptedLock();
        CountDownLatch resume = new CountDownLatch(1);
        lock.pausedUntil = resume;
        AtomicLong now = new AtomicLong();
        CountDownLatch lost = new CountDownLatch(1);
        LeaderLease lease = new LeaderLease(lock, Duration.ofMillis(60), now::get, lost::countDown);
        lease.start("c");
        assertThat(lock.checking.await(10, TimeUnit.SECONDS)).isTrue();

        now.addAndGet(Duration.ofSeconds(1).toNanos()); // the database stays paused past the lease
        assertThat(lease.valid()).isFalse();
        lease.stop(); // the term saw the lease run out and ended; the check is still waiting on the database
        resume.countDown();

        assertThat(lost.await(10, TimeUnit.SECONDS)).as("the lease that ran out is reported").isTrue();
    }

    @Test
    void aLeaseThatRanOutIsReportedWhenTheStopInterruptsTheCheckThatWaitedOnTheDatabase() throws Exception {
        ScriptedLock lock = new ScriptedLock();
        lock.blockUntilInterrupted = true; // the paused database's check, which the stop's interrupt ends
        AtomicLong now = new AtomicLong();
        CountDownLatch lost = new CountDownLatch(1);
        LeaderLease lease = new LeaderLease(lock, Duration.ofMillis(60), now::get, lost::countDown);
        lease.start("c");
        assertThat(lock.checking.await(10, TimeUnit.SECONDS)).isTrue();

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        lease.stop();

        assertThat(lost.await(10, TimeUnit.SECONDS)).as("the lease that ran out is reported").isTrue();
    }

    @Test
    void aCheckThatGetsNoAnswerAtAllEndsTheTermWhenTheLeaseRunsOutNotWhenTheCheckReturns() throws Exception {
        ScriptedLock lock = new ScriptedLock();
        CountDownLatch thaw = new CountDownLatch(1);
        lock.pausedUntil = thaw; // a frozen database: the check's socket waits, its query timeout does nothing
        AtomicLong now = new AtomicLong();
        CountDownLatch lost = new CountDownLatch(1);
        LeaderLease lease = new LeaderLease(lock, Duration.ofMillis(60), now::get, lost::countDown);
        lease.start("c");
        assertThat(lock.checking.await(10, TimeUnit.SECONDS)).isTrue();

        now.addAndGet(Duration.ofSeconds(1).toNanos()); // the lease runs out, the check still waiting

        try {
            assertThat(lost.await(10, TimeUnit.SECONDS)).as("the term ended while the check still waited").isTrue();
        } finally {
            thaw.countDown();
            lease.stop();
        }
    }

    @Test
    void aLockThatIsNoLongerHeldEndsTheTermOnce() throws Exception {
        ScriptedLock lock = new ScriptedLock();
        CountDownLatch lost = new CountDownLatch(1);
        AtomicInteger times = new AtomicInteger();
        LeaderLease lease = new LeaderLease(lock, Duration.ofMillis(60), System::nanoTime, () -> {
            times.incrementAndGet();
            lost.countDown();
        });
        lease.start("c");
        assertThat(lock.checking.await(10, TimeUnit.SECONDS)).isTrue();

        lock.held = false;

        assertThat(lost.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(lease.valid()).isFalse();
        lease.stop();
        assertThat(times).hasValue(1);
    }
}
