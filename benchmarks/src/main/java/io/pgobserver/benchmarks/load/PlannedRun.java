package io.pgobserver.benchmarks.load;

import java.util.ArrayList;
import java.util.List;

/**
 * One measured run of an invocation before its tracing settings: a mode, the backlog's shape for a drain (rows per
 * transaction, or {@code all}; empty for a sustain), and the round.
 *
 * @param backlog rows per transaction or {@code all} for a drain, empty for a sustain
 */
record PlannedRun(String mode, String backlog, int round) {

    boolean drain() {
        return mode.equals("drain");
    }

    /** How the results name the run: the mode, and the backlog's shape after a slash for a drain. */
    String label() {
        return backlog.isEmpty() ? mode : mode + "/" + backlog;
    }

    /** Rows per transaction of a drain of {@code events}. */
    int rowsPerTransaction(int events) {
        return backlog.equals("all") ? events : Integer.parseInt(backlog);
    }

    /**
     * The runs of an invocation in the order they run: round by round within each mode, every backlog shape in each
     * round. A shared machine drifts over minutes (the JIT settles, other work comes and goes), so the shapes a
     * target compares with each other (one-row transactions against one transaction) take turns, as the tracing
     * settings do within each run, instead of one shape's rounds all coming first.
     */
    static List<PlannedRun> order(List<String> modes, List<String> backlogs, int rounds) {
        List<PlannedRun> runs = new ArrayList<>();
        for (String mode : modes) {
            for (int round = 1; round <= rounds; round++) {
                for (String backlog : mode.equals("drain") ? backlogs : List.of("")) {
                    runs.add(new PlannedRun(mode, backlog, round));
                }
            }
        }
        return runs;
    }

    /**
     * Rows per transaction of the warm-up drains: each backlog shape the measured drains use, so that the first
     * measured drain of either is not the one that still warms its code paths (one-row transactions take the
     * many-small-batches path); 1,000 (at most {@code warmup}) when only sustains are measured.
     */
    static List<Integer> warmupShapes(List<String> modes, List<String> backlogs, int warmup) {
        if (!modes.contains("drain")) {
            return List.of(Math.min(1000, warmup));
        }
        return backlogs.stream().map(b -> new PlannedRun("drain", b, 0).rowsPerTransaction(warmup)).toList();
    }
}
