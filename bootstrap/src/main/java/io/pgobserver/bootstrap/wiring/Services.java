package io.pgobserver.bootstrap.wiring;

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

    private final List<Lifecycle> ordered;
    private final List<Lifecycle> started = new ArrayList<>();

    public Services(Set<Lifecycle> lifecycles) {
        this.ordered = lifecycles.stream().sorted(Comparator.comparingInt(Lifecycle::order)
                .thenComparing(Lifecycle::name)).toList();
    }

    /** Starts everything; on a failure stops what started and throws. */
    public void start() throws Exception {
        for (Lifecycle lifecycle : ordered) {
            try {
                lifecycle.start();
                started.add(lifecycle);
                LOG.debug("started {}", lifecycle.name());
            } catch (Exception e) {
                close();
                throw e;
            }
        }
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Lifecycle lifecycle = started.get(i);
            try {
                lifecycle.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping {} failed: {}", lifecycle.name(), e.toString());
            }
        }
        started.clear();
    }
}
