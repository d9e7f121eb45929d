package io.pgobserver.domain.observer;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(10));

    @Test
    void theCeilingGrowsExponentiallyUpToTheCap() {
        assertThat(policy.backoffCeiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoffCeiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoffCeiling(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.backoffCeiling(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.backoffCeiling(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoffCeiling(60)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void fullJitterDrawsBelowTheCeiling() {
        assertThat(policy.backoff(3, null, 0.0)).isEqualTo(Duration.ZERO);
        assertThat(policy.backoff(3, null, 0.25)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(3, null, 0.999)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void retryAfterWinsButIsCapped() {
        assertThat(policy.backoff(1, Duration.ofSeconds(7), 0.5)).isEqualTo(Duration.ofSeconds(7));
        assertThat(policy.backoff(1, Duration.ofMinutes(5), 0.5)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aRetryAfterShorterThanTheBackoffDoesNotHastenTheRetry() {
        // Retry-After: 0, or a date already past: the attempts still spread out as without it, not in a burst.
        assertThat(policy.backoff(3, Duration.ZERO, 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(3, Duration.ofSeconds(1), 0.75)).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.backoff(3, Duration.ofSeconds(3), 0.25)).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void badPoliciesAreRejectedWithTheKeyNamed() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .hasMessageContaining("retry.max_attempts");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(5), Duration.ofMillis(1500)))
                .hasMessage("retry.max_backoff (1.5s) must not be shorter than retry.initial_backoff (5s): raise "
                        + "max_backoff or lower initial_backoff");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(5), 0.5))
                .hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(5), 1e9))
                .hasMessage("retry.multiplier must be between 1 and 10 (e.g. 2), was 1.0E9");
    }
}
