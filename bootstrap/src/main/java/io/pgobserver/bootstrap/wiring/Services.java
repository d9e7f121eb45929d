package io.pgobserver.bootstrap.wiring;

import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.domain.spi.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Starts the adapters' {@link Lifecycle}s after the injector is built, by ascending order, and stops the
 * started ones in reverse: telemetry first up and last down, so shutdown spans are still flushed.
 */
public final class Services implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Services.class);
    /** The administrative commands' way: a person waits at the terminal, so an outage fails the command at once. */
    private static final Patience NONE = (failure, attempt) -> {
        throw failure;
    };

    private final List<Lifecycle> ordered;
    private final List<Lifecycle> started = new ArrayList<>();

    public Services(Set<Lifecycle> lifecycles) {
        this.ordered = lifecycles.stream().sorted(Comparator.comparingInt(Lifecycle::order)
                .thenComparing(Lifecycle::name)).toList();
    }

    /** What to do when a part cannot start yet, what it needs not answering ({@link Lifecycle.Unavailable}). */
    @FunctionalInterface
    public interface Patience {
        /**
         * Waits before the part's next attempt.
         *
         * @param attempt how many attempts of this part failed so far (1 after the first)
         * @return true to start the part again, false to give up the start (a stop was asked for meanwhile)
         * @throws Exception to fail the start with it
         */
        boolean waitAfter(Lifecycle.Unavailable failure, int attempt) throws Exception;
    }

    /** Starts everything, failing at the first part that cannot start; on a failure stops what started and throws. */
    public void start() throws Exception {
        start(NONE);
    }

    /**
     * Starts everything, each part once what it needs answers: parts that do not need it are not started again. A
     * setting a part refuses ({@link IllegalArgumentException} with a message) is a configuration error.
     *
     * @return false when {@code patience} gave up: what started is stopped again
     */
    public boolean start(Patience patience) throws Exception {
        for (Lifecycle lifecycle : ordered) {
            boolean up;
            try {
                up = start(lifecycle, patience);
            } catch (IllegalArgumentException e) {
                closeWhole();
                throw e.getMessage() == null ? e : new ConfigException(e.getMessage(), e);
            } catch (Exception e) {
                closeWhole();
                throw e;
            }
            if (!up) {
                closeWhole();
                return false;
            }
        }
        return true;
    }

    /**
     * Stops what started, each part whole, though a stop interrupted the start ({@code WaitingStart#cancel}): that
     * interrupt has ended the attempt it was for, and a part's stop that saw it ended early (the database pool's close
     * after its first wait, its connections left open and a stack trace at WARN; the telemetry's last flush at once).
     * It is kept for the caller.
     */
    private void closeWhole() {
        boolean interrupted = Thread.interrupted();
        try {
            close();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean start(Lifecycle lifecycle, Patience patience) throws Exception {
        for (int failures = 1; ; failures++) {
            try {
                lifecycle.start();
                synchronized (this) {
                    started.add(lifecycle);
                }
                LOG.debug("started {}", lifecycle.name());
                return true;
            } catch (Lifecycle.Unavailable e) {
                if (!patience.waitAfter(e, failures)) {
                    return false;
                }
            }
        }
    }

    /**
     * Stops the started telemetry parts alone (order {@link Lifecycle#ORDER_TELEMETRY} or lower), newest first, and
     * leaves the rest: for a process about to halt while another part is stuck, so that the spans recorded so far are
     * still sent. Not under this object's lock while stopping: a {@link #close} stuck in another part must not hold
     * the telemetry back.
     */
    public void stopTelemetry() {
        List<Lifecycle> telemetry;
        synchronized (this) {
            telemetry = started.stream().filter(l -> l.order() <= Lifecycle.ORDER_TELEMETRY).toList().reversed();
            started.removeAll(telemetry);
        }
        telemetry.forEach(Services::stop);
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stop(started.get(i));
        }
        started.clear();
    }

    private static void stop(Lifecycle lifecycle) {
        try {
            lifecycle.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping {} failed: {}", lifecycle.name(), e.toString());
        }
    }
}
