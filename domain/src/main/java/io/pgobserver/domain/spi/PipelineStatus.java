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

    /**
     * The role to report ({@code /health/ready}, the console): {@code active} while this process holds the lock,
     * {@code standby} while it waits for it. An implementation that can tell may report {@code active} for a
     * process that led until the database stopped answering and has not learnt since that another process leads.
     */
    default String role() {
        return isActive() ? "active" : "standby";
    }

    /** Events processed by this process since it started. */
    long processedCount();
}
