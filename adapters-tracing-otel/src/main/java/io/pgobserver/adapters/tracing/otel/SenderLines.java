package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.observer.Urls;

import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDK's senders' debug lines about an attempt, read for whether the sender retries it and why it failed:
 * {@code Attempt 0 failed with retryable exception} (the exception attached), {@code Attempt 0 returned retryable
 * response: HttpResponse{code=503}} (OTLP/HTTP, the JDK's HttpClient; OkHttp's said {@code Response{code=503,…}})
 * or {@code … response: grpc-status=UNAVAILABLE, grpc-message=…} (OTLP/gRPC). The sender decided; nothing here
 * judges which failures are worth a retry.
 */
final class SenderLines {

    private static final Pattern RETRIED =
            Pattern.compile("Attempt \\d+ (?:failed with retryable exception.*|returned retryable response: (.*))",
                    Pattern.DOTALL);
    private static final Pattern HTTP_STATUS = Pattern.compile("code=(\\d{3})");
    private static final Pattern GRPC_STATUS = Pattern.compile("grpc-status=(\\w+)(?:, grpc-message=(.*))?",
            Pattern.DOTALL);

    private SenderLines() {
    }

    /** @return the cause in words when the line says an attempt failed and is retried, else null */
    static String retried(LogRecord line) {
        Matcher retried = RETRIED.matcher(line.getMessage() == null ? "" : line.getMessage());
        if (!retried.matches()) {
            return null;
        }
        String response = retried.group(1);
        if (response == null) {
            String cause = ExportFailures.describe(line.getThrown());
            return cause == null ? "an I/O error" : cause;
        }
        Matcher http = HTTP_STATUS.matcher(response);
        if (http.find()) {
            return "HTTP " + http.group(1);
        }
        Matcher grpc = GRPC_STATUS.matcher(response);
        if (grpc.find()) {
            String message = grpc.group(2);
            return "gRPC status " + grpc.group(1) + (message == null || message.isBlank() || message.equals("null")
                    ? "" : " " + Urls.redactIn(message.strip()));
        }
        return Urls.redactIn(response.strip());
    }
}
