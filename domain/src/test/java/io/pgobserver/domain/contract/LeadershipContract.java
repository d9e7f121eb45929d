package io.pgobserver.domain.contract;

import io.pgobserver.domain.port.Leadership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every {@link Leadership} must do: one holder at a time, lost with its session, taken over by another. */
public abstract class LeadershipContract {

    /**
     * How long a contender waits for a lock that is free, or is being freed by a session that ends: a wait, not a
     * bound (a busy machine may take seconds to end a backend or open a session); a lock never freed still fails.
     */
    private static final Duration FREED = Duration.ofSeconds(30);

    private final List<Leadership> made = new ArrayList<>();

    /** A new contender for the lock shared by every contender of the current test. */
    protected abstract Leadership newContender();

    /** Ends the holder's hold from outside, as a dropped or terminated session does. */
    protected abstract void loseSession(Leadership holder);

    private Leadership contender() {
        Leadership leadership = newContender();
        made.add(leadership);
        return leadership;
    }

    @AfterEach
    void releaseAll() {
        made.forEach(Leadership::release);
    }

    @Test
    void oneContenderHoldsTheLock() throws Exception {
        Leadership a = contender();
        Leadership b = contender();
        assertThat(a.acquire(Duration.ZERO)).isTrue();
        assertThat(a.acquire(Duration.ZERO)).isTrue();
        assertThat(b.acquire(Duration.ofMillis(50))).isFalse();
        assertThat(a.isHeld()).isTrue();
        assertThat(b.isHeld()).isFalse();
        assertThat(b.isHeldByAnyone()).isTrue();
    }

    @Test
    void aReleasedLockGoesToTheNext() throws Exception {
        Leadership a = contender();
        Leadership b = contender();
        assertThat(a.acquire(Duration.ZERO)).isTrue();
        a.release();
        assertThat(a.isHeld()).isFalse();
        assertThat(b.isHeldByAnyone()).isFalse();
        assertThat(b.acquire(FREED)).isTrue();
        assertThat(a.acquire(Duration.ofMillis(50))).isFalse();
    }

    @Test
    void aLostSessionLosesTheLockAnotherTakesOverAndTheFormerHolderMayTakeItBack() throws Exception {
        Leadership a = contender();
        Leadership b = contender();
        assertThat(a.acquire(Duration.ZERO)).isTrue();
        loseSession(a);
        assertThat(a.isHeld()).isFalse();
        assertThat(b.acquire(FREED)).isTrue();
        assertThat(a.acquire(Duration.ofMillis(50))).isFalse();
        assertThat(a.isHeld()).isFalse();

        b.release();
        assertThat(a.acquire(FREED)).isTrue();
        assertThat(a.isHeld()).isTrue();
        assertThat(b.isHeld()).isFalse();
    }
}
