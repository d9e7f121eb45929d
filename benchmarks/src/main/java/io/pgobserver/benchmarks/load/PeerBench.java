package io.pgobserver.benchmarks.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The peer's part of a bench run: after the observer's runs, the same drains and sustain with Debezium, its
 * steady drain rates beside the observer's, the ratios of the two, and what each costs the writer's transactions.
 */
final class PeerBench {

    /** The peers the bench knows; lower case, as the command line spells them. */
    enum Peer { none, debezium }

    private final Peer peer;
    private final int writeOverheadTransactions;
    private List<WriteOverhead.Figures> overhead = List.of();

    PeerBench(Peer peer, int writeOverheadTransactions) {
        this.peer = peer;
        this.writeOverheadTransactions = writeOverheadTransactions;
    }

    /** The peer's runs (none without a peer), and the write overhead when asked for. */
    List<BenchResult> run(BenchRun.Setup setup, List<String> modes, List<String> backlogs, int events, int rate,
                          Duration sustainFor, int warmup, int rounds, PrintStream out) throws Exception {
        List<BenchResult> results = new ArrayList<>();
        if (peer == Peer.none && writeOverheadTransactions == 0) {
            return results;
        }
        try (DebeziumPeer debezium = DebeziumPeer.open(setup)) {
            if (peer == Peer.debezium && warmup > 0) {
                for (int rows : PlannedRun.warmupShapes(modes, backlogs, warmup)) {
                    out.printf("[bench] warm-up: draining %d events in transactions of %d rows, %s%n", warmup, rows,
                            DebeziumPeer.TRACING);
                    debezium.drain(0, warmup, rows, "drain");
                }
            }
            for (PlannedRun run : peer == Peer.none ? List.<PlannedRun>of()
                    : PlannedRun.order(modes, backlogs, rounds)) {
                String label = run.label();
                out.printf("[bench] %s, %s, round %d...%n", label, DebeziumPeer.TRACING, run.round());
                BenchResult result = run.drain()
                        ? debezium.drain(run.round(), events, run.rowsPerTransaction(events), label)
                        : debezium.sustain(run.round(), rate, sustainFor);
                out.printf("[bench] %s, %s: %d/%d changes in %.2f s%n", label, DebeziumPeer.TRACING,
                        result.delivered(), result.expected(), result.seconds());
                results.add(result);
            }
            if (writeOverheadTransactions > 0) {
                out.printf("[bench] write overhead: %d transactions per setup...%n", writeOverheadTransactions);
                overhead = WriteOverhead.measure(debezium, setup, writeOverheadTransactions);
            }
        }
        return results;
    }

    /** The comparison lines and the write-overhead table; empty when there was neither. */
    String report(List<BenchResult> results) {
        StringBuilder report = new StringBuilder();
        BenchTable.byModeAndTracing(results).forEach((mode, byTracing) -> {
            List<BenchResult> peerRuns = byTracing.get(DebeziumPeer.TRACING);
            if (peerRuns == null) {
                return;
            }
            if (report.isEmpty()) {
                report.append(String.format(Locale.ROOT, "%npg-observer against debezium (medians over rounds)%n"));
            }
            byTracing.forEach((tracing, runs) -> report.append(line(mode, tracing, runs, peerRuns)));
        });
        if (!overhead.isEmpty()) {
            report.append(WriteOverhead.table(overhead));
        }
        return report.toString();
    }

    private String line(String mode, String tracing, List<BenchResult> runs, List<BenchResult> peerRuns) {
        if (mode.startsWith("drain")) {
            double steady = median(runs, BenchResult::steadyEventsPerSecond);
            if (tracing.equals(DebeziumPeer.TRACING)) {
                return String.format(Locale.ROOT, "%-10s %-8s %9.0f events/s, steady %9.0f%n", mode, tracing,
                        median(runs, BenchResult::eventsPerSecond), steady);
            }
            double peerSteady = median(peerRuns, BenchResult::steadyEventsPerSecond);
            return String.format(Locale.ROOT, "%-10s %-8s %9.0f events/s, steady %9.0f; pg-observer/debezium "
                            + "events/s %.2f, steady %.2f%n", mode, tracing, median(runs, BenchResult::eventsPerSecond),
                    steady, ratio(runs, peerRuns, BenchResult::eventsPerSecond), steady / peerSteady);
        }
        String latencies = String.format(Locale.ROOT, "%-10s %-8s p50 %8.2f ms, p99 %8.2f ms, p999 %8.2f ms", mode,
                tracing, median(runs, r -> r.latencyMillis(50)), median(runs, r -> r.latencyMillis(99)),
                median(runs, r -> r.latencyMillis(99.9)));
        if (tracing.equals(DebeziumPeer.TRACING)) {
            return latencies + System.lineSeparator();
        }
        return latencies + String.format(Locale.ROOT, "; pg-observer/debezium latency p50 %.2f, p99 %.2f, p999 %.2f%n",
                ratio(runs, peerRuns, r -> r.latencyMillis(50)), ratio(runs, peerRuns, r -> r.latencyMillis(99)),
                ratio(runs, peerRuns, r -> r.latencyMillis(99.9)));
    }

    private static double ratio(List<BenchResult> runs, List<BenchResult> peerRuns, ToDoubleFunction<BenchResult> value) {
        return median(runs, value) / median(peerRuns, value);
    }

    private static double median(List<BenchResult> runs, ToDoubleFunction<BenchResult> value) {
        return median(runs.stream().map(value::applyAsDouble).toList());
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
