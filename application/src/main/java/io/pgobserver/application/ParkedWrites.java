package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;

import java.util.function.BooleanSupplier;

/**
 * How the parking lot writes to the parked store: every write is fenced by the term's claim and retried while the
 * database fails ({@link Retry}); a fenced one ends the retries at once with {@link Fenced}, and then the term.
 */
final class ParkedWrites {

    private ParkedWrites() {
    }

    interface Write {
        void write() throws CheckpointStore.FencedException;
    }

    /** Runs {@code write} until it succeeds, retrying until {@code stop}; throws {@link Fenced} when fenced. */
    static void untilDone(String what, Write write, BooleanSupplier stop, Sleeper sleeper)
            throws InterruptedException {
        Retry.untilDone(what, () -> {
            try {
                write.write();
                return null;
            } catch (CheckpointStore.FencedException e) {
                throw new Fenced(e);
            }
        }, stop, sleeper, null);
    }

    /** A fenced write, carried through {@link Retry}: another process claimed the consumer. */
    static final class Fenced extends Retry.GiveUp {
        private static final long serialVersionUID = 1L;

        Fenced(CheckpointStore.FencedException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
