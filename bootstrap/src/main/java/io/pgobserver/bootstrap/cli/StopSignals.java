package io.pgobserver.bootstrap.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * SIGINT (Ctrl-C) and SIGTERM for a one-shot command that uses the database, so that none ends without a word. One
 * that works through a long stretch ({@code replay}, {@code backfill}, {@code dlq replay}) is stopped at its next safe
 * point and says how far it got and how to go on: the first signal interrupts its thread, or does what it asked
 * instead ({@link #instead}); a second, for a stop stuck where nothing reaches (a database answering nothing), ends
 * the process at once with exit 1. One that changes nothing, or one thing at its very end ({@code status},
 * {@code dlq list}, {@code dlq delete}), or whose every step is one transaction that a connection gone rolls back
 * ({@code install}), ends at once on the first signal, saying what it did ({@link #endingAtOnce}): there is nothing to
 * wait for, and a database that does not answer must not hold it; so does {@code dlq replay} until its first letter
 * ({@link #endingAtOnceSaying}). Under
 * {@code java -Xrs} the JVM's own handling stays: exit 130 or 143, no summary. Once closed, a signal exits as the JVM
 * would (130 or 143): the thread may be running something else by then (a test's next command, in-process).
 */
final class StopSignals implements AutoCloseable {

    private final AtomicReference<String> received = new AtomicReference<>();
    private final PrintWriter err;
    private volatile Thread worker = Thread.currentThread();
    /** What the first signal does, given its name (SIGINT); guarded by this, so that {@link #instead} races none. */
    private StopAction first;

    @FunctionalInterface
    private interface StopAction {
        void stop(String signal);
    }

    private StopSignals(PrintWriter err) {
        this.err = err;
        this.first = signal -> {
            say(signal + " received: stopping; it says where it stopped (the signal again exits at once)");
            Thread thread = worker;
            if (thread != null) {
                thread.interrupt();
            }
        };
    }

    /** Handles both signals from now until closed, interrupting the calling thread on the first. */
    static StopSignals interruptingThisThread(PrintWriter err) {
        return handling(new StopSignals(err));
    }

    /**
     * Handles both signals from now until closed by ending the process at once with exit 1, after the line
     * {@code error: SIGTERM received: stopped at once; } and what {@code done} says was done (read at the signal).
     */
    static StopSignals endingAtOnce(PrintWriter err, Supplier<String> done) {
        return endingAtOnceSaying(err, signal -> signal + " received: stopped at once; " + done.get());
    }

    /**
     * As {@link #endingAtOnce}, the line being {@code error: } and what {@code stopped} says for the signal (SIGINT):
     * for a stretch that has changed nothing yet and may wait on a database that does not answer ({@code dlq replay}
     * reading its queue), until {@link #instead} says what stops the work that follows.
     */
    static StopSignals endingAtOnceSaying(PrintWriter err, UnaryOperator<String> stopped) {
        StopSignals signals = new StopSignals(err);
        signals.first = signal -> {
            ErrorLines.say(signals.err, "error: " + stopped.apply(signal), null);
            Runtime.getRuntime().halt(ExitCodes.FAILURE);
        };
        return handling(signals);
    }

    private static StopSignals handling(StopSignals signals) {
        for (String name : new String[]{"INT", "TERM"}) {
            Signals.handle(name, () -> signals.received(name));
        }
        return signals;
    }

    /**
     * From now on the first signal calls {@code stop} rather than interrupting the thread (at once if it came
     * already): for work that an interrupt would cut where it must not (an action's request the receiver has taken).
     */
    synchronized void instead(Runnable stop) {
        first = signal -> {
            say(signal + " received: stopping; it says where it stopped (the signal again exits at once)");
            stop.run();
        };
        if (received() != null) {
            Thread.interrupted(); // the interrupt it sent before: the work now stops by stop alone
            stop.run();
        }
    }

    /**
     * Ends the process now with exit 1 after {@code error: } and the line: for a stop heard where the work waits for a
     * database that may never answer, and ending it there leaves nothing unsaid.
     */
    void endAtOnce(String line) {
        say("error: " + line);
        Runtime.getRuntime().halt(ExitCodes.FAILURE);
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
            return signals.open(open);
        }
    }

    /** As {@link #opening}, under these signals, which stay handled after it. */
    <T extends AutoCloseable> T open(Callable<T> open) throws Exception {
        T opened;
        try {
            opened = open.call();
        } catch (Exception e) {
            if (received() == null) {
                throw e;
            }
            Thread.interrupted(); // the signal's: it has ended the attempt
            throw new StoppedWhileConnecting(received(), e);
        }
        if (received() != null) {
            Thread.interrupted(); // it came as the session opened: nothing has begun, and the close must not see it
            opened.close();
            throw new StoppedWhileConnecting(received(), null);
        }
        return opened;
    }

    /** A stop said as the command's stops are (exit 1): not as an error, nor as the attempt it ended. */
    static class Stopped extends Exception {

        Stopped(String message, Exception attempt) {
            super(message, attempt);
        }
    }

    /** A stop while the command connected to the database. */
    static final class StoppedWhileConnecting extends Stopped {

        StoppedWhileConnecting(String signal, Exception attempt) {
            super(signal + " received while connecting to the database: stopped before connecting, and nothing was "
                    + "done; run the command again to do it", attempt);
        }
    }

    private void received(String name) {
        if (worker == null) {
            System.exit(name.equals("INT") ? 130 : 143);
        } else if (received.compareAndSet(null, "SIG" + name)) {
            synchronized (this) {
                first.stop("SIG" + name);
            }
        } else {
            say("SIG" + name + " received again: exiting at once with code 1; what ran is not summed up "
                    + "('status' shows where things stand)");
            Runtime.getRuntime().halt(ExitCodes.FAILURE);
        }
    }

    private void say(String line) {
        ErrorLines.warn(err, line);
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
