package io.pgobserver.domain.spi;

/**
 * What the running pipeline says about itself, for an adapter that shows it (the console): the same answers as
 * the readiness endpoint.
 */
public interface PipelineStatus {

    /** Why the pipeline cannot make progress now, or null when it can (a standby waiting for the lock can). */
    String problem();

    /** Whether this process holds the consumer's lock and reads events. */
    boolean isActive();

    /** Events processed by this process since it started. */
    long processedCount();
}
