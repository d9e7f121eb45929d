package io.pgobserver.domain.spi;

import io.pgobserver.domain.trace.Tracer;

import java.time.Duration;
import java.util.List;

/** An observer booted by {@link ObserverHost#boot}; closing it stops the pipeline and the services. */
public interface RunningObserver extends AutoCloseable {

    /** The tracing adapter chosen, such as {@code adapters-tracing-otel}. */
    String tracingAdapter();

    /** The tracer of the running observer, for a caller that plays the application writing rows. */
    Tracer tracer();

    /**
     * The observed database as the application uses it, for a caller that plays the application writing rows:
     * it needs no JDBC of its own.
     */
    ApplicationDatabase applicationDatabase();

    /**
     * The pages adapters serve on the admin port (the console), as URLs on the loopback address; empty when none is
     * installed or {@code admin.port} is -1.
     */
    List<String> adminPages();

    /** What the configuration loader warned about. */
    List<String> warnings();

    /** Creates the schema and the capture trigger on a table, as {@code install} does. */
    void installCapture(String table, String idColumn) throws Exception;

    /** Starts reading and processing events, on a thread of its own. */
    void startPipeline();

    /** Events processed so far. */
    long processedCount();

    /** Whether this process holds the consumer's lock and reads events. */
    boolean isActive();

    /** Stops the pipeline, finishing the events running within the timeout (retries are left to the next holder). */
    void stop(Duration timeout) throws InterruptedException;

    /** Stops the pipeline if still running, then the services, in reverse order of their start. */
    @Override
    void close();
}
