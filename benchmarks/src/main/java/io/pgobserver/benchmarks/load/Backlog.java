package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** The drain's backlog as many small transactions, and how steadily it drained. */
final class Backlog {

    /** Sessions writing a backlog of one-row transactions side by side, as an application's would. */
    private static final int WRITERS = 4;

    private Backlog() {
    }

    /**
     * Writes rows 1..{@code events} with {@code insert} (parameters: payload size, first id, last id), each row in a
     * transaction of its own, from a few sessions at once. Only these writes skip the wait for their WAL flush
     * ({@code synchronous_commit = off} for the transaction): the backlog is written before the measurement starts,
     * and a million flushes would take the better part of an hour without changing what is measured.
     */
    static void writeOneRowTransactions(ApplicationDatabase database, String insert, int events, int payloadBytes)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int id = next.incrementAndGet(); id <= events && failed.get() == null;
                         id = next.incrementAndGet()) {
                        database.commit(TraceContext.NONE, List.of(Statement.of("set local synchronous_commit = off"),
                                Statement.of(insert, payloadBytes, id, id)));
                    }
                } catch (RuntimeException e) {
                    failed.compareAndSet(null, e);
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        if (failed.get() != null) {
            throw failed.get();
        }
    }

    /**
     * The drain's rate in each quarter of the backlog, events taken in the order their first webhook arrived:
     * equal quarters mean a steady rate from the first page to the last.
     */
    static String quarterRates(BenchReceivers receivers, int events) {
        long[] arrivals = new long[events];
        for (int id = 1; id <= events; id++) {
            arrivals[id - 1] = receivers.firstArrival(id);
        }
        Arrays.sort(arrivals);
        StringBuilder rates = new StringBuilder();
        for (int q = 0; q < 4; q++) {
            int from = q * events / 4;
            int to = (q + 1) * events / 4 - 1;
            double seconds = (arrivals[to] - arrivals[from]) / 1e9;
            rates.append(q == 0 ? "" : " / ").append(seconds > 0 ? Math.round((to - from) / seconds) : "-");
        }
        return rates.toString();
    }
}
