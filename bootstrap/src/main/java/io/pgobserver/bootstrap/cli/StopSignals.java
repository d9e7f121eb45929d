package io.pgobserver.bootstrap.cli;

import java.io.PrintWriter;
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
