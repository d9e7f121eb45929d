package io.pgobserver.adapters.console;

import io.pgobserver.domain.port.EventOutcomes.ActionOutcome;

import java.util.Arrays;

/**
 * One observer's action, since this process started: deliveries, retries, failed attempts, dead letters, the last
 * error, and its recent durations (a fixed ring, so memory stays bounded) for percentiles over a window.
 */
final class ActionStats {

    private static final int SAMPLES = 2048;

    private final long[] sampleAt = new long[SAMPLES];
    private final long[] sampleNanos = new long[SAMPLES];
    private long samples;
    private long delivered;
    private long retried;
    private long failed;
    private long deadLettered;
    private String lastError;
    private long lastErrorAt;

    synchronized void record(ActionOutcome outcome, long atMillis) {
        if (outcome.delivered()) {
            delivered++;
        } else {
            deadLettered++;
        }
        retried += Math.max(0, outcome.attempts() - 1);
        failed += outcome.attempts() - (outcome.delivered() ? 1 : 0);
        if (outcome.lastError() != null) {
            lastError = outcome.lastError();
            lastErrorAt = atMillis;
        }
        int slot = (int) (samples % SAMPLES);
        sampleAt[slot] = atMillis;
        sampleNanos[slot] = outcome.durationNanos();
        samples++;
    }

    /** The figures now, percentiles over actions that finished after {@code sinceMillis}. */
    synchronized Snapshot snapshot(long sinceMillis) {
        long[] window = new long[(int) Math.min(samples, SAMPLES)];
        int n = 0;
        for (int i = 0; i < window.length; i++) {
            if (sampleAt[i] >= sinceMillis) {
                window[n++] = sampleNanos[i];
            }
        }
        Arrays.sort(window, 0, n);
        return new Snapshot(delivered, retried, failed, deadLettered, lastError, lastErrorAt, n,
                percentile(window, n, 0.50), percentile(window, n, 0.95), percentile(window, n, 0.99));
    }

    private static long percentile(long[] sorted, int n, double q) {
        return n == 0 ? -1 : sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)];
    }

    /** Percentiles in nanoseconds, -1 when no action finished in the window. */
    record Snapshot(long delivered, long retried, long failed, long deadLettered, String lastError,
                    long lastErrorAt, int windowCount, long p50, long p95, long p99) {
    }
}
