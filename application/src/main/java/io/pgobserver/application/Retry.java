package io.pgobserver.application;

import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.observer.RetryPolicy;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one way the pipeline waits out a failing store: call, and on failure back off exponentially (100 ms, doubling,
 * capped at 30 s) and call again, until the call succeeds or the caller may no longer go on.
 *
 * <p>The one cancellation rule: {@code stop} is checked before every attempt and the wait between attempts is
 * interruptible; either ends the loop with {@link InterruptedException}, so whoever called is not done and leaves
 * its work to the next holder of the consumer. Failures are logged on the first and every tenth attempt, so an
 * outage of hours writes a few lines, not thousands.
 */
final class Retry {

    private static final System.Logger LOG = System.getLogger(Retry.class.getName());
    /** The waits between attempts: the same exponential formula as an action's retries, without jitter. */
    static final RetryPolicy WAITS = new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(100), Duration.ofSeconds(30));

    private Retry() {
    }

    /** A failure that retrying cannot cure (another process claimed the consumer): ends the loop at once. */
    static class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GiveUp(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A call that may fail with any runtime exception; checked exceptions are the caller's to handle inside. */
    @FunctionalInterface
    interface Call<T> {
        T call();
    }

    /**
     * Runs {@code call} until it returns.
     *
     * @param what    what is being done, for the log and {@code problem} ("cannot store the dead letter")
     * @param stop    true once the caller must give up (the term ended, the event was parked)
     * @param sleeper waits between attempts
     * @param problem told the failure while it lasts (null once the call succeeded after failing), or null
     * @throws InterruptedException when stopped or interrupted before the call succeeded
     */
    static <T> T untilDone(String what, Call<T> call, BooleanSupplier stop, Sleeper sleeper, Consumer<String> problem)
            throws InterruptedException {
        for (int failures = 0; ; ) {
            if (stop.getAsBoolean()) {
                throw new InterruptedException(what + ": stopped before it succeeded");
            }
            try {
                T result = call.call();
                if (failures > 0 && problem != null) {
                    problem.accept(null);
                }
                return result;
            } catch (GiveUp e) {
                throw e;
            } catch (RuntimeException e) {
                failures++;
                Duration wait = backoff(failures);
                String message = what + ": " + e.getMessage();
                if (problem != null) {
                    problem.accept(message);
                }
                if (failures == 1 || failures % 10 == 0) {
                    LOG.log(System.Logger.Level.WARNING, message + "; retrying in " + Durations.format(wait)
                            + " (attempt " + failures + ")");
                }
                sleeper.sleep(wait);
            }
        }
    }

    /** The wait after {@code failures} failures in a row: 100 ms, doubling, at most 30 s. */
    static Duration backoff(int failures) {
        return WAITS.backoffCeiling(failures);
    }
}
