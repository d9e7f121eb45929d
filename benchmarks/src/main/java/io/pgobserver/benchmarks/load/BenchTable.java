package io.pgobserver.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The bench's results as the command prints them, and the grouping and medians the charts share. */
final class BenchTable {

    private BenchTable() {
    }

    /**
     * The results as a fixed-width table, one row per run, then the median of each mode and tracing setting over
     * the rounds with its throughput as a ratio of tracing off's median.
     */
    static String of(List<BenchResult> results) {
        StringBuilder table = new StringBuilder();
        String header = "%-10s %-8s %5s %8s %11s %9s %9s %8s %8s %8s %8s %8s %9s %9s %9s %8s %8s %9s %8s %5s%n";
        String row = "%-10s %-8s %5s %8d %11s %9.0f %9s %8s %8s %8s %8s %8s %9.2f %9.1f %9.2f %8.1f %8.1f %9.0f %8s %5.1f%n";
        table.append(String.format(Locale.ROOT, header, "mode", "tracing", "round", "events", "webhooks", "events/s",
                "steady/s", "p50 ms", "p95 ms", "p99 ms", "p999 ms", "max ms", "cpu s", "cpu ms/1k", "rcv cpu s",
                "heap MiB", "peak MiB", "OTLP KiB", "spans/ev", "load"));
        for (BenchResult r : results) {
            table.append(String.format(Locale.ROOT, row, r.mode(), r.tracing(), r.round(), r.events(),
                    r.delivered() + "/" + r.expected(), r.eventsPerSecond(),
                    Double.isNaN(r.steadyEventsPerSecond()) ? "-"
                            : String.format(Locale.ROOT, "%.0f", r.steadyEventsPerSecond()),
                    millis(r.latencyMillis(50)), millis(r.latencyMillis(95)), millis(r.latencyMillis(99)),
                    millis(r.latencyMillis(99.9)), millis(r.latencyMillis(100)), r.cpuSeconds(),
                    r.cpuMillisPerThousand(), r.receiverCpuSeconds(), r.heapAfterGcMiB(), r.peakHeapMiB(), r.otlpKiB(),
                    Double.isNaN(r.spansPerEvent()) ? "-" : String.format(Locale.ROOT, "%.2f", r.spansPerEvent()),
                    r.loadAverage()));
        }
        table.append(String.format(Locale.ROOT, "%nmedians over rounds%n%-10s %-8s %9s %8s %8s %8s %8s %9s%n", "mode",
                "tracing", "events/s", "vs off", "p50 ms", "p99 ms", "p999 ms", "cpu ms/1k"));
        Map<String, Map<String, List<BenchResult>>> grouped = byModeAndTracing(results);
        grouped.forEach((mode, byTracing) -> {
            List<BenchResult> off = byTracing.get("off");
            double offRate = off == null ? Double.NaN : median(off, BenchResult::eventsPerSecond);
            byTracing.forEach((t, runs) -> {
                double rate = median(runs, BenchResult::eventsPerSecond);
                String ratio = Double.isNaN(offRate) ? "-"
                        : String.format(Locale.ROOT, "%.1f%%", 100.0 * rate / offRate);
                table.append(String.format(Locale.ROOT, "%-10s %-8s %9.0f %8s %8s %8s %8s %9.1f%n", mode, t, rate,
                        ratio, millis(median(runs, r -> r.latencyMillis(50))),
                        millis(median(runs, r -> r.latencyMillis(99))), millis(median(runs, r -> r.latencyMillis(99.9))),
                        median(runs, BenchResult::cpuMillisPerThousand)));
            });
        });
        oneRowRatio(grouped, table);
        table.append("events/s: drain = backlog / (observer start, any lease wait included, to last webhook); sustain = "
                + "events / (first write to last webhook), bounded by --rate.\nsteady/s: drain only, the events "
                + "between the 20% and the 95% of the backlog (by first-webhook order) over the time between them.\n"
                + "latency: commit returned to the writer -> first webhook arrived in the receiver process "
                + "(sustain only; both read CLOCK_MONOTONIC).\ncpu: the observer's JVM (observer and writer), "
                + "not PostgreSQL; cpu ms/1k is also microseconds per event. rcv cpu: the receiver process "
                + "(webhooks and OTLP).\nOTLP KiB, spans/ev: span data, and spans per event, that the OTLP endpoint "
                + "received during the run (--span-export discard: spans per event the discarding exporter was "
                + "handed). load: the machine's 1-minute load average at the end of the run.\n");
        return table.toString();
    }

    /** One-row transactions against one transaction, when both were drained: the linear-read target is >= 0.8. */
    private static void oneRowRatio(Map<String, Map<String, List<BenchResult>>> grouped, StringBuilder table) {
        Map<String, List<BenchResult>> oneRow = grouped.get("drain/1");
        Map<String, List<BenchResult>> oneTransaction = grouped.get("drain/all");
        if (oneRow == null || oneTransaction == null) {
            return;
        }
        oneRow.forEach((t, runs) -> {
            List<BenchResult> whole = oneTransaction.get(t);
            if (whole != null) {
                table.append(String.format(Locale.ROOT, "one-row transactions drain at %.2f of one transaction's "
                                + "rate, tracing %s (target >= 0.80)%n",
                        median(runs, BenchResult::eventsPerSecond) / median(whole, BenchResult::eventsPerSecond), t));
            }
        });
    }

    /** Results by mode, then by tracing setting, in the order they ran. */
    static Map<String, Map<String, List<BenchResult>>> byModeAndTracing(List<BenchResult> results) {
        Map<String, Map<String, List<BenchResult>>> grouped = new LinkedHashMap<>();
        for (BenchResult r : results) {
            grouped.computeIfAbsent(r.mode(), m -> new LinkedHashMap<>())
                    .computeIfAbsent(r.tracing(), t -> new ArrayList<>()).add(r);
        }
        return grouped;
    }

    static double median(List<BenchResult> runs, ToDoubleFunction<BenchResult> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        if (values.length == 0 || Double.isNaN(values[0])) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static String millis(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }
}
