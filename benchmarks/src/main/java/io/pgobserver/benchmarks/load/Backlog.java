package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.concurrent.atomic.AtomicReference;

/** The drain's backlog as many small transactions, and how steadily it drained. */
final class Backlog {

    /** Sessions writing a backlog of one-row transactions side by side, as an application's would. */
    static final int WRITERS = 4;

    private Backlog() {
    }

    /**
     * Writes rows 1..{@code events} with {@link BenchRun.Observer#INSERT} in transactions of
     * {@code rowsPerTransaction} rows: one-row transactions from a few sessions, larger ones from one.
     */
    static void write(ApplicationDatabase database, int events, int rowsPerTransaction, int payloadBytes)
            throws InterruptedException {
        if (rowsPerTransaction == 1) {
            writeOneRowTransactions(database, BenchRun.Observer.INSERT, events, payloadBytes);
            return;
        }
        for (int from = 1; from <= events; from += rowsPerTransaction) {
            int to = Math.min(events, from + rowsPerTransaction - 1);
            database.commit(TraceContext.NONE, List.of(Statement.of(BenchRun.Observer.INSERT, payloadBytes, from, to)));
        }
    }

    /**
     * Writes rows 1..{@code events} with {@code insert} (parameters: payload size, first id, last id), each row in a
     * transaction of its own, from a few sessions at once. Only these writes skip the wait for their WAL flush
     * ({@code synchronous_commit = off} for the transaction): the backlog is written before the measurement starts,
     * and a million flushes would take the better part of an hour without changing what is measured.
     */
    static void writeOneRowTransactions(ApplicationDatabase database, String insert, int events, int payloadBytes)
            throws InterruptedException {
        fromSessions(events, id -> database.commit(TraceContext.NONE,
                List.of(Statement.of("set local synchronous_commit = off"), Statement.of(insert, payloadBytes, id, id))));
    }

    /**
     * Calls {@code row} for ids 1..{@code events}, each once, from {@link #WRITERS} sessions side by side; the first
     * failure stops every session and is thrown.
     */
    static void fromSessions(int events, IntConsumer row) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            writers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int id = next.incrementAndGet(); id <= events && failed.get() == null;
                         id = next.incrementAndGet()) {
                        row.accept(id);
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
        long[] arrivals = sortedArrivals(receivers, events);
        StringBuilder rates = new StringBuilder();
        for (int q = 0; q < 4; q++) {
            int from = q * events / 4;
            int to = (q + 1) * events / 4 - 1;
            double seconds = (arrivals[to] - arrivals[from]) / 1e9;
            rates.append(q == 0 ? "" : " / ").append(seconds > 0 ? Math.round((to - from) / seconds) : "-");
        }
        return rates.toString();
    }

    /** {@link System#nanoTime()} of the latest first arrival among events 1..events. */
    static long lastArrival(BenchReceivers receivers, int events) {
        long[] arrivals = sortedArrivals(receivers, events);
        return arrivals[events - 1];
    }

    private static long[] sortedArrivals(BenchReceivers receivers, int events) {
        long[] arrivals = new long[events];
        for (int id = 1; id <= events; id++) {
            arrivals[id - 1] = receivers.firstArrival(id);
        }
        Arrays.sort(arrivals);
        return arrivals;
    }
}
