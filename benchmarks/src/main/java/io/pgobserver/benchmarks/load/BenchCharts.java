package io.pgobserver.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The bench's results as charts: throughput over time per run, latency percentiles per run that measured latency,
 * events per second per run with tracing on's rate as a share of off's. Every run is labelled by its mode and
 * tracing setting, so a peer's run (a {@link BenchResult} of mode {@code debezium}, tracing blank) is one more
 * series in each panel, labelled {@code debezium}.
 */
final class BenchCharts {

    private BenchCharts() {
    }

    static SvgChart of(List<BenchResult> results, String subtitle) {
        List<SvgChart.Series> throughput = new ArrayList<>();
        List<SvgChart.Group> latency = new ArrayList<>();
        List<SvgChart.Group> rates = new ArrayList<>();
        boolean rounds = results.stream().anyMatch(r -> r.round() > 1);
        // With several rounds, one bar per mode and setting (the rounds' medians) and the line of its median round:
        // a bar and a line per round would bury the comparison under its repetitions.
        BenchTable.byModeAndTracing(results).forEach((mode, byTracing) -> byTracing.forEach((tracing, runs) -> {
            String label = mode + (tracing.isBlank() ? "" : " " + tracing) + (rounds ? " (median)" : "");
            BenchResult typical = medianRun(runs);
            double[][] series = typical.throughputSeries();
            throughput.add(new SvgChart.Series(label, series[0], series[1]));
            if (typical.latenciesMicros().length > 0) {
                latency.add(new SvgChart.Group(label, new double[] {
                        BenchTable.median(runs, r -> r.latencyMillis(50)),
                        BenchTable.median(runs, r -> r.latencyMillis(99)),
                        BenchTable.median(runs, r -> r.latencyMillis(99.9))}));
            }
            rates.add(new SvgChart.Group(label, new double[] {BenchTable.median(runs, BenchResult::eventsPerSecond),
                    BenchTable.median(runs, BenchResult::steadyEventsPerSecond)}));
        }));
        SvgChart chart = new SvgChart("pg-observer bench", subtitle)
                .lines("Throughput over time (first webhook per event, " + BenchResult.BUCKET.toMillis()
                                + " ms buckets)", "seconds from start (drain: observer start, lease wait included; "
                                + "sustain: first write)",
                        "events/s", throughput);
        if (!latency.isEmpty()) {
            chart.bars("Commit-to-webhook latency", "milliseconds", List.of("p50", "p99", "p999"), latency, List.of());
        }
        return chart.bars("Events per second per run (steady: drains, between 20% and 95% of the backlog)",
                "events/s",
                List.of("whole run", "steady (20-95%)"), rates, ratioNotes(results));
    }

    /** Tracing on's median rate as a share of off's, per mode that ran both. */
    static List<String> ratioNotes(List<BenchResult> results) {
        List<String> notes = new ArrayList<>();
        BenchTable.byModeAndTracing(results).forEach((mode, byTracing) -> {
            if (byTracing.containsKey("off") && byTracing.containsKey("on")) {
                notes.add(String.format(Locale.ROOT, "%s: tracing on runs at %.1f%% of tracing off's events/s "
                                + "(medians over rounds)", mode,
                        100 * BenchTable.median(byTracing.get("on"), BenchResult::eventsPerSecond)
                                / BenchTable.median(byTracing.get("off"), BenchResult::eventsPerSecond)));
            }
        });
        return notes;
    }

    /** The round whose rate is the median of the rounds' (the lower middle one of an even number). */
    private static BenchResult medianRun(List<BenchResult> runs) {
        List<BenchResult> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(BenchResult::eventsPerSecond));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
