package io.pgobserver.domain.spi;

/**
 * What a command may do to pg-observer's own storage (schema {@code pgobserver}) when its adapters start. The core
 * binds it for the adapters to read; {@link #MIGRATE} unless the command only reads.
 */
public enum StorageAccess {

    /** Create the storage where it is missing and migrate it to this release: {@code run}, {@code install}, and every
     * command that writes. */
    MIGRATE,

    /**
     * Read it as it is and change nothing ({@code status}, {@code dlq list}): a monitoring role without CREATE must be
     * able to run them, and a newer release's {@code status} during a rolling deploy must not migrate the storage
     * under the older processes still running. Storage that is missing or older than this release is
     * {@link Lifecycle.NotInstalled}.
     */
    READ_ONLY
}
