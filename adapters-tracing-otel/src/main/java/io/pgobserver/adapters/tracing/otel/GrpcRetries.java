package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One export's attempts, as the SDK's own gRPC sender makes them under the exporter's {@link RetryPolicy}: another
 * attempt after a status the gRPC spec calls retryable or an I/O failure the policy's predicate accepts (by default
 * the SDK's: timeouts, refused connections, unknown hosts, broken sockets), after an exponential backoff with jitter,
 * at most {@code maxAttempts} in all, and all within the export's timeout. Each retry is told before its wait
 * ({@link FailedAttempts#retrying}), so that a collector gone is warned of at once. Not thread-safe: one export's
 * attempts follow each other.
 */
final class GrpcRetries {

    /** The statuses the SDK's senders retry (the OTLP specification's retryable gRPC codes). */
    static final Set<GrpcStatusCode> RETRYABLE = EnumSet.of(GrpcStatusCode.CANCELLED,
            GrpcStatusCode.DEADLINE_EXCEEDED, GrpcStatusCode.RESOURCE_EXHAUSTED, GrpcStatusCode.ABORTED,
            GrpcStatusCode.OUT_OF_RANGE, GrpcStatusCode.UNAVAILABLE, GrpcStatusCode.DATA_LOSS);

    /** Waits between attempts; a test's records the waits instead. */
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private final RetryPolicy policy;
    private final Predicate<IOException> retryable;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final Consumer<String> told;
    private final long started;
    private int attempts = 1;
    private long nextBackoffNanos;

    /** @param policy null for one attempt only (the exporter's retries turned off) */
    GrpcRetries(RetryPolicy policy, Duration timeout) {
        this(policy, timeout, System::nanoTime, TimeUnit.NANOSECONDS::sleep,
                () -> ThreadLocalRandom.current().nextDouble(0.8, 1.2), FailedAttempts::retrying);
    }

    GrpcRetries(RetryPolicy policy, Duration timeout, LongSupplier clock, Sleeper sleeper, DoubleSupplier jitter,
                Consumer<String> told) {
        this.policy = policy;
        this.retryable = policy == null || policy.getRetryExceptionPredicate() == null
                ? GrpcRetries::retryableByDefault : policy.getRetryExceptionPredicate();
        this.timeoutNanos = timeout.toNanos();
        this.clock = clock;
        this.sleeper = sleeper;
        this.jitter = jitter;
        this.told = told;
        this.started = clock.getAsLong();
        this.nextBackoffNanos = policy == null ? 0 : policy.getInitialBackoff().toNanos();
    }

    /**
     * Waits the backoff and answers true when the answer with this status is to be tried again.
     *
     * @param cause the failure in words, asked for only when it is retried
     */
    boolean again(GrpcStatusCode status, Supplier<String> cause) {
        return RETRYABLE.contains(status) && backoff(cause);
    }

    /** Waits the backoff and answers true when the attempt that failed so is to be made again. */
    boolean again(IOException failure, Supplier<String> cause) {
        return policy != null && retryable.test(failure) && backoff(cause);
    }

    /** What is left of the export's timeout, for the next attempt's own; 0 when the export has no timeout. */
    long remainingNanos() {
        return timeoutNanos <= 0 ? 0 : Math.max(1, timeoutNanos - (clock.getAsLong() - started));
    }

    int attempts() {
        return attempts;
    }

    private boolean backoff(Supplier<String> cause) {
        if (policy == null || attempts >= policy.getMaxAttempts() || timedOut()) {
            return false;
        }
        told.accept(cause.get());
        long backoff = Math.min(nextBackoffNanos, policy.getMaxBackoff().toNanos());
        nextBackoffNanos = (long) (backoff * policy.getBackoffMultiplier());
        long wait = (long) (jitter.getAsDouble() * backoff);
        if (timeoutNanos > 0) {
            wait = Math.min(wait, timeoutNanos - (clock.getAsLong() - started));
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        attempts++;
        return !timedOut();
    }

    private boolean timedOut() {
        return timeoutNanos > 0 && clock.getAsLong() - started >= timeoutNanos;
    }

    /** The kinds of I/O failure the SDK's senders retry when the policy names none. */
    static boolean retryableByDefault(IOException failure) {
        return failure instanceof SocketTimeoutException || failure instanceof ConnectException
                || failure instanceof UnknownHostException || failure instanceof SocketException;
    }
}
