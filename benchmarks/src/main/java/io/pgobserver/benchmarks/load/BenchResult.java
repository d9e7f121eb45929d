package io.pgobserver.benchmarks.load;

import java.time.Duration;

/**
 * What one run measured.
 *
 * @param mode            {@code drain} or {@code sustain}
 * @param tracing         {@code off} or {@code on}
 * @param events          events written
 * @param delivered       (event, action) webhooks that arrived, each counted once
 * @param expected        webhooks expected: events times actions
 * @param seconds         drain: observer start to last webhook; sustain: first write to last webhook
 * @param latenciesMicros sustain: commit-to-first-webhook per event, sorted; empty for drain
 * @param cpuSeconds      CPU time of the bench's JVM (observer and writer) during the run; PostgreSQL not included
 * @param peakHeapMiB     the highest heap use sampled during the run (garbage included)
 * @param heapAfterGcMiB  heap in use after a full GC at the end of the run, before the observer stopped
 * @param otlpKiB         span data the OTLP receiver got during the run (spans still queued at its end are
 *                        flushed when the observer stops, after the measurement)
 * @param round           1 for the first round of the run's tracing settings
 * @param loadAverage     the machine's one-minute load average at the end of the run (other processes included)
 * @param steadyEventsPerSecond drain: events per second between the 20% and the 95% of the backlog, in the order
 *                        the first webhooks arrived (no start-up, no tail); NaN for sustain
 * @param receiverCpuSeconds CPU time of the receiver process (webhooks and OTLP) during the run, apart from
 *                        {@code cpuSeconds}
 * @param otlpSpans       spans in the OTLP data the receiver got for the run, those the observer flushed when it
 *                        stopped included, or with {@code --span-export discard} the spans its exporter was handed:
 *                        with every span exported, the same number per event run after run
 * @param deliveredPerBucket events whose first webhook arrived in each {@link #BUCKET} from the run's start (drain:
 *                        the observer's start; sustain: the first write)
 */
record BenchResult(String mode, String tracing, int round, double loadAverage, int events, int delivered, int expected, double seconds,
                   long[] latenciesMicros, double cpuSeconds, double peakHeapMiB, double heapAfterGcMiB,
                   double otlpKiB, long otlpSpans, double steadyEventsPerSecond, double receiverCpuSeconds,
                   int[] deliveredPerBucket) {

    /** The width of the throughput-over-time series. */
    static final Duration BUCKET = Duration.ofMillis(250);

    /** The same result under another mode label (the drain's backlog shape: {@code drain/1}, {@code drain/all}). */
    BenchResult labelled(String label) {
        return new BenchResult(label, tracing, round, loadAverage, events, delivered, expected, seconds,
                latenciesMicros, cpuSeconds, peakHeapMiB, heapAfterGcMiB, otlpKiB, otlpSpans, steadyEventsPerSecond,
                receiverCpuSeconds, deliveredPerBucket);
    }

    /**
     * This result with the spans the receiver holds now, after the observer stopped and flushed its queue: the spans
     * of the run's events that were still queued when the measurement ended are counted, only dropped ones are not.
     *
     * @param discardedSpans the spans {@link io.pgobserver.benchmarks.sdkplugin.BenchDiscardExporter} was handed during the run (0 unless it exported)
     */
    BenchResult withSpansAfterStop(BenchReceivers receivers, long discardedSpans) {
        return new BenchResult(mode, tracing, round, loadAverage, events, delivered, expected, seconds,
                latenciesMicros, cpuSeconds, peakHeapMiB, heapAfterGcMiB, otlpKiB, receivers.stats().otlpSpans() + discardedSpans,
                steadyEventsPerSecond, receiverCpuSeconds, deliveredPerBucket);
    }

    /** Spans exported per event; NaN when nothing was exported (tracing off). */
    double spansPerEvent() {
        return otlpSpans == 0 || events == 0 ? Double.NaN : (double) otlpSpans / events;
    }

    boolean complete() {
        return delivered == expected;
    }

    double eventsPerSecond() {
        return seconds <= 0 ? 0 : events / seconds;
    }

    /** CPU milliseconds of the observer's JVM per thousand events (microseconds per event). */
    double cpuMillisPerThousand() {
        return events == 0 ? 0 : cpuSeconds * 1000.0 / events * 1000.0;
    }

    /** The nearest-rank percentile of the latencies in milliseconds; NaN when there are none. */
    double latencyMillis(double percentile) {
        if (latenciesMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * latenciesMicros.length);
        return latenciesMicros[Math.max(0, Math.min(latenciesMicros.length - 1, rank - 1))] / 1000.0;
    }

    /** The series as events per second at the end of each bucket, for charts: x in seconds from the start. */
    double[][] throughputSeries() {
        double bucketSeconds = BUCKET.toNanos() / 1e9;
        double[] x = new double[deliveredPerBucket.length];
        double[] y = new double[deliveredPerBucket.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i + 1) * bucketSeconds;
            y[i] = deliveredPerBucket[i] / bucketSeconds;
        }
        return new double[][] {x, y};
    }

    @Override
    public String toString() {
        return "BenchResult[" + mode + ", tracing " + tracing + ", " + delivered + "/" + expected + "]";
    }
}
