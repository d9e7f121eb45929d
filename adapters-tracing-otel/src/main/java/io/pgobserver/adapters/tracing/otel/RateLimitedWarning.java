package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.config.Durations;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A warning logged at most once per interval, with the count of occurrences since the last one: a dead trace
 * backend fails every export, and a log line per failure would bury everything else.
 */
final class RateLimitedWarning {

    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowed;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    RateLimitedWarning(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nextAllowed = new AtomicLong(System.nanoTime());
    }

    /**
     * Counts {@code occurrences} and logs when the interval has passed.
     *
     * @param message builds the line from the count since the last warning; called only when it is logged
     * @return whether a line was logged
     */
    boolean record(long occurrences, LongFunction<String> message, Throwable cause) {
        total.addAndGet(occurrences);
        pending.addAndGet(occurrences);
        long now = System.nanoTime();
        long allowed = nextAllowed.get();
        if (now - allowed < 0 || !nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
            return false;
        }
        long reported = pending.getAndSet(0);
        if (cause != null) {
            log.warn(message.apply(reported) + ": " + cause);
        } else {
            log.warn(message.apply(reported));
        }
        return true;
    }

    /**
     * Logs what was counted since the last line, whatever the interval: at shutdown, after which no later line
     * would report it.
     *
     * @return whether a line was logged (nothing is when nothing is pending)
     */
    boolean flush(LongFunction<String> message) {
        long reported = pending.getAndSet(0);
        if (reported <= 0) {
            return false;
        }
        log.warn(message.apply(reported));
        return true;
    }

    /** The end of a rate-limited line, in the interval's own words: {@code (this warning repeats at most every 1m)}. */
    String repeats() {
        return " (this warning repeats at most every " + Durations.format(Duration.ofNanos(intervalNanos)) + ")";
    }

    /** What was counted since the last line, which the caller now reports in a line of its own. */
    long takePending() {
        return pending.getAndSet(0);
    }

    /** Everything counted since this was made. */
    long total() {
        return total.get();
    }
}
