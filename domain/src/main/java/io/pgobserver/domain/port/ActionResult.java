package io.pgobserver.domain.port;

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
     */
    record Failure(String message, boolean permanent, Duration retryAfter, Throwable cause) implements ActionResult {
        public Failure {
            Objects.requireNonNull(message, "message");
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
