package io.pgobserver.benchmarks.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The observer's side of an invocation: the warm-up, then every planned run with each tracing setting in turn. */
final class ObserverRuns {

    private ObserverRuns() {
    }

    static List<BenchResult> run(BenchRun.Setup setup, List<String> tracing, List<String> modes, List<String> backlogs,
                                 int rounds, int events, int rate, Duration sustainFor, int warmup, PrintStream out)
            throws Exception {
        if (warmup > 0) {
            for (String t : tracing) {
                for (int rows : PlannedRun.warmupShapes(modes, backlogs, warmup)) {
                    out.printf("[bench] warm-up: draining %d events in transactions of %d rows, tracing %s%n",
                            warmup, rows, t);
                    BenchRun.drain(setup, t, 0, warmup, rows);
                }
            }
        }
        List<BenchResult> results = new ArrayList<>();
        for (PlannedRun run : PlannedRun.order(modes, backlogs, rounds)) {
            for (String t : tracing) {
                String label = run.label();
                out.printf("[bench] %s, tracing %s, round %d...%n", label, t, run.round());
                BenchResult result = run.drain()
                        ? BenchRun.drain(setup, t, run.round(), events, run.rowsPerTransaction(events))
                                .labelled(label)
                        : BenchRun.sustain(setup, t, run.round(), rate, sustainFor);
                out.printf("[bench] %s, tracing %s: %d/%d webhooks in %.2f s%n", label, t,
                        result.delivered(), result.expected(), result.seconds());
                if (run.drain() && result.complete()) {
                    out.printf("[bench] %s, tracing %s: events/s by quarter of the backlog %s%n", label,
                            t, Backlog.quarterRates(setup.receivers(), events));
                }
                results.add(result);
            }
        }
        return results;
    }
}
