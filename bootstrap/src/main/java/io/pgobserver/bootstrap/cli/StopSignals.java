package io.pgobserver.bootstrap.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGINT (Ctrl-C) and SIGTERM for a one-shot command that works through a long stretch ({@code replay},
 * {@code backfill}): the first interrupts the command's thread, which stops at its next safe point and says how far
 * it got and how to go on; a second, for a stop stuck where no interrupt reaches (a database answering nothing), ends
 * the process at once with exit 1. Under {@code java -Xrs} the JVM's own handling stays: exit 130 or 143, no summary.
 */
final class StopSignals {

    private final AtomicReference<String> received = new AtomicReference<>();

    private StopSignals() {
    }

    /** Handles both signals from now on, interrupting the calling thread on the first. */
    static StopSignals interruptingThisThread(PrintWriter err) {
        StopSignals signals = new StopSignals();
        Thread worker = Thread.currentThread();
        for (String name : new String[]{"INT", "TERM"}) {
            Signals.handle(name, () -> {
                if (signals.received.compareAndSet(null, "SIG" + name)) {
                    err.println("SIG" + name + " received: stopping; it says where it stopped (the signal again exits at once)");
                    err.flush();
                    worker.interrupt();
                } else {
                    err.println("SIG" + name + " received again: exiting at once with code 1; what ran is not summed "
                            + "up ('status' shows where things stand)");
                    err.flush();
                    Runtime.getRuntime().halt(ExitCodes.FAILURE);
                }
            });
        }
        return signals;
    }

    /** The signal that stopped the command, as SIGINT; null when none came. */
    String received() {
        return received.get();
    }
}
