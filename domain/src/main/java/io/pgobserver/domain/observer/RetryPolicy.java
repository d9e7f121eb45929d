package io.pgobserver.domain.observer;

import io.pgobserver.domain.config.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently an action is retried: exponential backoff with full jitter, capped, with a
 * server's {@code Retry-After} taking precedence (bounded by {@code maxBackoff}).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0);
    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry.max_attempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("retry.initial_backoff and retry.max_backoff must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("retry.max_backoff (" + Durations.format(maxBackoff)
                    + ") must not be shorter than retry.initial_backoff (" + Durations.format(initialBackoff)
                    + "): raise max_backoff or lower initial_backoff");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("retry.multiplier must be a finite number >= 1, was " + multiplier);
        }
    }

    public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this(maxAttempts, initialBackoff, maxBackoff, 2.0);
    }

    /**
     * The ceiling of the wait before attempt {@code attempt + 1}, after {@code attempt} failed attempts
     * (1-based): {@code initialBackoff * multiplier^(attempt-1)}, capped at {@code maxBackoff}.
     */
    public Duration backoffCeiling(int attempt) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        long capped = (long) Math.min(nanos, (double) maxBackoff.toNanos());
        return Duration.ofNanos(capped);
    }

    /**
     * The wait before the next attempt: "full jitter" (a uniform draw below the ceiling, as AWS's backoff
     * study recommends, so retries of many events spread out), or the server's {@code Retry-After} when
     * it gave one, capped at {@code maxBackoff}.
     *
     * @param random01 a uniform draw in [0, 1)
     */
    public Duration backoff(int attempt, Duration retryAfter, double random01) {
        if (retryAfter != null && !retryAfter.isNegative()) {
            return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
        }
        long ceiling = backoffCeiling(attempt).toNanos();
        return Duration.ofNanos((long) (ceiling * random01));
    }
}
