package io.pgobserver.domain.port;

import io.pgobserver.domain.observer.Urls;

import java.time.Duration;
import java.util.Objects;

/** How one attempt at an action ended. */
public sealed interface ActionResult {

    /** Done. {@code detail} is a short, secret-free note such as {@code HTTP 200}. */
    record Success(String detail) implements ActionResult {
    }

    /**
     * Not done.
     *
     * @param message    what went wrong, free of secrets
     * @param permanent  true when retrying cannot help (a 400, a rejected recipient)
     * @param retryAfter the server's requested wait, or null
     * @param cause      the exception, or null
     * @param errorType  the failure's class, low in cardinality, as OpenTelemetry's {@code error.type} wants it on
     *                   metrics and spans: an HTTP status code ({@code "503"}), a short identifier of the protocol's
     *                   ({@code "timeout"}), else the cause's fully qualified class name, else {@value #OTHER}
     */
    record Failure(String message, boolean permanent, Duration retryAfter, Throwable cause, String errorType)
            implements ActionResult {

        /** The semantic conventions' value when nothing more specific is known. */
        public static final String OTHER = "_OTHER";

        public Failure {
            // A receiver's error page may echo credentials (its own, or the request's): the message goes to logs,
            // readiness, dead letters and spans, so it is made safe once, here, whichever executor wrote it.
            message = Urls.redactIn(Objects.requireNonNull(message, "message"));
            if (errorType == null || errorType.isBlank()) {
                errorType = cause != null ? cause.getClass().getName() : OTHER;
            }
        }

        /** A failure whose {@code error.type} is its cause's class name, or {@value #OTHER} without a cause. */
        public Failure(String message, boolean permanent, Duration retryAfter, Throwable cause) {
            this(message, permanent, retryAfter, cause, null);
        }

        public static Failure transientFailure(String message, Throwable cause) {
            return new Failure(message, false, null, cause);
        }

        public static Failure permanentFailure(String message, Throwable cause) {
            return new Failure(message, true, null, cause);
        }
    }

    static ActionResult success(String detail) {
        return new Success(detail);
    }
}
