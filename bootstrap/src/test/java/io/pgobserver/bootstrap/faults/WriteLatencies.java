package io.pgobserver.bootstrap.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Write latencies by phase: 0 before the backfill, 1 while it runs, 2 after. */
final class WriteLatencies {
    final AtomicInteger phase = new AtomicInteger();
    private final List<List<Long>> byPhase = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

    synchronized void add(long nanos) {
        byPhase.get(phase.get()).add(nanos);
    }

    synchronized long count() {
        return byPhase.stream().mapToLong(List::size).sum();
    }

    synchronized String summary(int p) {
        List<Long> sorted = byPhase.get(p).stream().sorted().toList();
        if (sorted.isEmpty()) {
            return "-";
        }
        return String.format("%.2f/%.2f ms (%d writes)", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6, sorted.size());
    }
}
