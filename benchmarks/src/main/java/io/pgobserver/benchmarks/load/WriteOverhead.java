package io.pgobserver.benchmarks.load;

import io.pgobserver.domain.spi.ApplicationDatabase;
import io.pgobserver.domain.spi.ApplicationDatabase.Statement;
import io.pgobserver.domain.trace.TraceContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What capture costs the application's own transactions: the same one-row inserts, from the same number of
 * sessions, timed per commit, with no capture; with pg-observer's trigger, first with the observer stopped (the
 * trigger's own cost) and then with it running and delivering (the cost an application sees, the observer's reads,
 * deliveries and checkpoints competing for the server and the cores); and with Debezium's slot and publication read by
 * its running engine, which delivers to the same receiver. The server's stock {@code synchronous_commit = on} holds for every transaction, as it
 * does for an application: the flush a commit waits for is part of what a trigger's extra rows or logical
 * decoding's extra WAL may lengthen.
 */
final class WriteOverhead {

    /** One setup's figures. */
    record Figures(String setup, int transactions, double seconds, long[] commitMicros) {

        double transactionsPerSecond() {
            return transactions / seconds;
        }

        /** The nearest-rank percentile of the commit times in milliseconds. */
        double commitMillis(double percentile) {
            int rank = (int) Math.ceil(percentile / 100.0 * commitMicros.length);
            return commitMicros[Math.max(0, Math.min(commitMicros.length - 1, rank - 1))] / 1000.0;
        }
    }

    private WriteOverhead() {
    }

    /** Measures the three setups in turn, each from an empty table, after an unmeasured warm-up of the writer. */
    static List<Figures> measure(DebeziumPeer peer, BenchRun.Setup setup, int transactions) throws Exception {
        ApplicationDatabase database = peer.database();
        List<Figures> figures = new ArrayList<>();
        peer.reset();
        peer.dropCapture();
        time("warm-up", database, Math.min(transactions, 1000), setup.payloadBytes());
        peer.reset();
        figures.add(time("no capture", database, transactions, setup.payloadBytes()));
        peer.reset();
        peer.installCapture();
        try {
            figures.add(time("pg-observer trigger", database, transactions, setup.payloadBytes()));
        } finally {
            peer.dropCapture();
        }
        try (BenchRun.Observer observer = BenchRun.Observer.boot(setup, "off", "overhead")) {
            setup.receivers().expect(transactions, setup.actions());
            observer.start();
            observer.awaitActive();
            figures.add(time("pg-observer running", observer.database(), transactions, setup.payloadBytes()));
            BenchRun.awaitDelivery(setup.receivers(), transactions * setup.actions());
        }
        peer.reset();
        peer.dropCapture();
        setup.receivers().expect(transactions, 1);
        try (EmbeddedDebezium ignored = peer.startEngine()) {
            figures.add(time("debezium running", database, transactions, setup.payloadBytes()));
            BenchRun.awaitDelivery(setup.receivers(), transactions);
        }
        return figures;
    }

    /** Rows 1..transactions, each in a transaction of its own, from {@link Backlog#WRITERS} sessions. */
    private static Figures time(String name, ApplicationDatabase database, int transactions, int payloadBytes)
            throws InterruptedException {
        long[] micros = new long[transactions];
        long started = System.nanoTime();
        Backlog.fromSessions(transactions, id -> {
            long begin = System.nanoTime();
            database.commit(TraceContext.NONE, List.of(Statement.of(BenchRun.Observer.INSERT, payloadBytes, id, id)));
            micros[id - 1] = (System.nanoTime() - begin) / 1000;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        Arrays.sort(micros);
        return new Figures(name, transactions, seconds, micros);
    }

    /** The figures as a table, each setup's rate as a ratio of the first's (no capture). */
    static String table(List<Figures> figures) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nwrite overhead: one-row insert transactions, %d sessions, synchronous_commit=on%n"
                        + "%-20s %8s %8s %9s %9s %11s%n", Backlog.WRITERS, "setup", "tx", "tx/s", "p50 ms", "p99 ms",
                "vs none"));
        double baseline = figures.get(0).transactionsPerSecond();
        for (Figures f : figures) {
            table.append(String.format(Locale.ROOT, "%-20s %8d %8.0f %9.2f %9.2f %10.1f%%%n", f.setup(),
                    f.transactions(), f.transactionsPerSecond(), f.commitMillis(50), f.commitMillis(99),
                    100.0 * f.transactionsPerSecond() / baseline));
        }
        return table.toString();
    }
}
