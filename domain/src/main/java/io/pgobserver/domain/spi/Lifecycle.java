package io.pgobserver.domain.spi;

/**
 * A part of an adapter with something to start after the injector is built (no I/O in Guice's
 * {@code configure()}) and to stop at shutdown: migrations, connection pools, span exporters. Adapters add
 * theirs to a Guice set binder of {@code Lifecycle}; the bootstrap starts them by ascending {@link #order()}
 * and stops them in reverse, so telemetry (lowest order) starts first and is flushed last.
 */
public interface Lifecycle {

    int ORDER_TELEMETRY = 0;
    int ORDER_STORAGE = 100;
    int ORDER_ACTIONS = 200;

    /** A short name for logs. */
    String name();

    default int order() {
        return ORDER_STORAGE;
    }

    /** @throws Exception when the part cannot start; the boot then fails with the message */
    void start() throws Exception;

    /** Stops, releasing resources; never throws. */
    void stop();
}
