package io.pgobserver.bootstrap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGINT (Ctrl-C) and SIGTERM for a one-shot command that works through a long stretch ({@code replay},
 * {@code backfill}): the first interrupts the command's thread, which stops at its next safe point and says how far
 * it got and how to go on; a second, for a stop stuck where no interrupt reaches (a database answering nothing), ends
 * the process at once with exit 1. Under {@code java -Xrs} the JVM's own handling stays: exit 130 or 143, no summary.
 * Once closed, a signal exits as the JVM would (130 or 143): the thread may be running something else by then (a
 * test's next command, in-process).
 */
final class StopSignals implements AutoCloseable {

    private final AtomicReference<String> received = new AtomicReference<>();
    private volatile Thread worker = Thread.currentThread();

    private StopSignals() {
    }

    /** Handles both signals from now until closed, interrupting the calling thread on the first. */
    static StopSignals interruptingThisThread(PrintWriter err) {
        StopSignals signals = new StopSignals();
        for (String name : new String[]{"INT", "TERM"}) {
            Signals.handle(name, () -> signals.received(name, err));
        }
        return signals;
    }

    /**
     * Opens what the command works with (its session: connecting, migrating) with both signals handled, as the rest
     * of its work is: the first ends the attempt under way (the interrupt, as for {@code run}'s start) and is said as
     * a stop before connecting, exit 1. Without this, the JVM's default ended the command without a word, or the
     * attempt the stop cut short read as a database to check ("cannot connect … Check database.url").
     *
     * @throws StoppedWhileConnecting when a signal came before the session was open: nothing of the command was done
     */
    static <T extends AutoCloseable> T opening(PrintWriter err, Callable<T> open) throws Exception {
        try (StopSignals signals = interruptingThisThread(err)) {
            T opened;
            try {
                opened = open.call();
            } catch (Exception e) {
                if (signals.received() == null) {
                    throw e;
                }
                Thread.interrupted(); // the signal's: it has ended the attempt
                throw new StoppedWhileConnecting(signals.received(), e);
            }
            if (signals.received() != null) {
                Thread.interrupted(); // it came as the session opened: nothing has begun, and the close must not see it
                opened.close();
                throw new StoppedWhileConnecting(signals.received(), null);
            }
            return opened;
        }
    }

    /** A stop while the command connected to the database: said as a stop (exit 1), not as the failed attempt. */
    static final class StoppedWhileConnecting extends Exception {

        StoppedWhileConnecting(String signal, Exception attempt) {
            super(signal + " received while connecting to the database: stopped before connecting, and nothing was "
                    + "done; run the command again to do it", attempt);
        }
    }

    private void received(String name, PrintWriter err) {
        Thread thread = worker;
        if (thread == null) {
            System.exit(name.equals("INT") ? 130 : 143);
        } else if (received.compareAndSet(null, "SIG" + name)) {
            err.println("SIG" + name + " received: stopping; it says where it stopped (the signal again exits at once)");
            err.flush();
            thread.interrupt();
        } else {
            err.println("SIG" + name + " received again: exiting at once with code 1; what ran is not summed up "
                    + "('status' shows where things stand)");
            err.flush();
            Runtime.getRuntime().halt(ExitCodes.FAILURE);
        }
    }

    /** The signal that stopped the command, as SIGINT; null when none came. */
    String received() {
        return received.get();
    }

    @Override
    public void close() {
        worker = null;
    }
}
