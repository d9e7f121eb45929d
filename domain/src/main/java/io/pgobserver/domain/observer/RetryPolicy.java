package io.pgobserver.domain.observer;

import io.pgobserver.domain.config.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how patiently an action is retried: exponential backoff with full jitter, capped, never sooner
 * than a server's {@code Retry-After} asks (bounded by {@code maxBackoff}).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(1), 2.0);
    /** One attempt, no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0);

    /** Below it a receiver that is down would take the attempts in a burst, before it could come back. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(10);
    /** Above it the first retry of a hiccup would wait longer than anyone waits for an event. */
    public static final Duration MAX_INITIAL_BACKOFF = Duration.ofHours(1);
    /** Above it an event would wait more than a day between two attempts, its row's later events held behind it. */
    public static final Duration MAX_BACKOFF = Duration.ofHours(24);
    /** Above it the second wait is already near {@code max_backoff}: the backoff would not grow, it would jump. */
    public static final double MAX_MULTIPLIER = 10;

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
        if (!(multiplier >= 1.0 && multiplier <= MAX_MULTIPLIER)) {
            throw new IllegalArgumentException("retry.multiplier must be between 1 and 10 (e.g. 2), was "
                    + multiplier);
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
     * study recommends, so retries of many events spread out), or the server's {@code Retry-After} when it gave a
     * longer one, capped at {@code maxBackoff}. A {@code Retry-After} shorter than the draw does not hasten the
     * retry, as Stripe's clients have it: a receiver answering {@code Retry-After: 0} (or a date its clock already
     * passed) to every attempt would otherwise get them all in a burst and see the event dead-lettered within
     * milliseconds, having only asked for patience.
     *
     * @param random01 a uniform draw in [0, 1)
     */
    public Duration backoff(int attempt, Duration retryAfter, double random01) {
        long ceiling = backoffCeiling(attempt).toNanos();
        Duration jittered = Duration.ofNanos((long) (ceiling * random01));
        if (retryAfter != null && retryAfter.compareTo(jittered) > 0) {
            return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
        }
        return jittered;
    }
}
