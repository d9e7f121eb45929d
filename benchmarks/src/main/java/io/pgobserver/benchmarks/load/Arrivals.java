package io.pgobserver.benchmarks.load;

import java.util.Arrays;

/**
 * A run's first-arrival times ({@link System#nanoTime()}, one monotonic clock for the bench and its receiver
 * process), sorted: the order in which events reached the receiver, whatever their ids.
 *
 * @param sorted the arrival time of every event that arrived, ascending
 */
record Arrivals(long[] sorted) {

    /** From the receiver's array indexed by event id (index 0 unused, 0 where no webhook came). */
    static Arrivals of(long[] byEventId) {
        return new Arrivals(Arrays.stream(byEventId).skip(1).filter(t -> t != 0).sorted().toArray());
    }

    /**
     * Events per second between the arrival of the {@code from} fraction of {@code events} and of the {@code to}
     * fraction (0.2 and 0.95: the steady state of a drain, without the observer's start (connections, the first pages) and
     * without the tail of the last batches); NaN when too few arrived to tell.
     */
    double rate(int events, double from, double to) {
        int first = (int) (from * events);
        int last = (int) Math.ceil(to * events) - 1;
        if (last <= first || last >= sorted.length) {
            return Double.NaN;
        }
        double seconds = (sorted[last] - sorted[first]) / 1e9;
        return seconds > 0 ? (last - first) / seconds : Double.NaN;
    }

    /** Events whose first webhook arrived in each {@code bucketNanos} after {@code startNanos}, up to the last. */
    int[] perBucket(long startNanos, long bucketNanos) {
        if (sorted.length == 0) {
            return new int[0];
        }
        int[] buckets = new int[(int) (Math.max(0, sorted[sorted.length - 1] - startNanos) / bucketNanos) + 1];
        for (long arrived : sorted) {
            buckets[(int) (Math.max(0, arrived - startNanos) / bucketNanos)]++;
        }
        return buckets;
    }
}
