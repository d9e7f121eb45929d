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

    /**
     * Starts the part. A failed start leaves nothing behind to stop: it may be called again.
     *
     * @throws Unavailable when a service the part needs does not answer yet (a database that is down, starting up
     *         or unreachable): {@code run} waits and calls this again; other commands fail with the message
     * @throws IllegalArgumentException when a setting is wrong (a password the database refuses, a port in use or an
     *         address this machine does not have: {@link BindRefusals}), with a message naming the setting and the
     *         fix: a configuration error
     * @throws NotInstalled when the command only reads ({@link StorageAccess#READ_ONLY}) and the storage it reads is
     *         missing or older than this release: only a command that migrates cures that
     * @throws Exception when the part cannot start for another reason; the boot then fails with the message
     */
    void start() throws Exception;

    /** Stops, releasing resources; never throws. */
    void stop();

    /**
     * What {@link #start()} throws while a service the part needs does not answer: an outage that waiting may end,
     * as opposed to settings that are wrong. The message is the whole error ("cannot connect to SERVICE: REASON.
     * ADVICE"); {@link #service()} and {@link #reason()} are its parts, for a line that says what is awaited.
     */
    final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final String service;
        private final String reason;

        /**
         * @param service what does not answer, with its address and no secret ("PostgreSQL at
         *                jdbc:postgresql://db:5432/app")
         * @param reason  why, in a few words ("Connection refused")
         * @param advice  what to check if it lasts, as a sentence
         */
        public Unavailable(String service, String reason, String advice, Throwable cause) {
            this(cause, "cannot connect to " + service + ": " + reason + ". " + advice, service, reason);
        }

        private Unavailable(Throwable cause, String message, String service, String reason) {
            super(message, cause);
            this.service = service;
            this.reason = reason;
        }

        /**
         * The service answers but cannot do the part's work yet (a lock another session holds, which it gave up
         * waiting for): waited out as an outage is.
         *
         * @param message the whole error, for a command that does not wait
         */
        public static Unavailable busy(String service, String reason, String message, Throwable cause) {
            return new Unavailable(cause, message, service, reason);
        }

        public String service() {
            return service;
        }

        public String reason() {
            return reason;
        }
    }

    /**
     * What {@link #start()} throws for a command that only reads when pg-observer's storage is not installed in the
     * database, or is at an older version than this release reads: it does not create or migrate it. The message says
     * which, and which command installs or migrates it.
     */
    final class NotInstalled extends Exception {
        private static final long serialVersionUID = 1L;

        public NotInstalled(String message) {
            super(message);
        }
    }
}
