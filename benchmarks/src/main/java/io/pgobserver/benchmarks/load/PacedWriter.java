package io.pgobserver.benchmarks.load;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The sustain runs' writer, shared by the observer's and the peer's runs so both see the same load: rows 1..events
 * at {@code rate} per second, each due row written in one small transaction as soon as it is due, and each row's
 * commit time noted when the commit returned.
 */
final class PacedWriter {

    /** Writes rows {@code fromId..toId} in one transaction. */
    @FunctionalInterface
    interface Insert {
        void rows(int fromId, int toId);
    }

    private PacedWriter() {
    }

    /** Writes the rows; returns {@link System#nanoTime()} of each row's commit, indexed by row id (index 0 unused). */
    static long[] write(Insert insert, int rate, int events) {
        long[] committed = new long[events + 1];
        long started = System.nanoTime();
        int written = 0;
        while (written < events) {
            long due = Math.min(events, (long) ((System.nanoTime() - started) / 1e9 * rate));
            if (due > written) {
                insert.rows(written + 1, (int) due);
                long now = System.nanoTime();
                for (int id = written + 1; id <= due; id++) {
                    committed[id] = now;
                }
                written = (int) due;
            } else {
                LockSupport.parkNanos(Math.max(100_000L, (long) (1e9 / rate)));
            }
        }
        return committed;
    }

    /** Commit-to-first-arrival per row that arrived, in microseconds, sorted. */
    static long[] latenciesMicros(BenchReceivers receivers, long[] committed) {
        long[] latencies = new long[committed.length - 1];
        int n = 0;
        for (int id = 1; id < committed.length; id++) {
            long arrived = receivers.firstArrival(id);
            if (arrived != 0) {
                latencies[n++] = (arrived - committed[id]) / 1000;
            }
        }
        latencies = Arrays.copyOf(latencies, n);
        Arrays.sort(latencies);
        return latencies;
    }
}
