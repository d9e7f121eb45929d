package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.pgobserver.domain.observer.Urls;

import javax.net.ssl.SSLException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.HttpRetryException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why an export failed, in a few words for the exporter's warning: the HTTP status or gRPC status the backend
 * answered, else the exception's type and message, redacted (a URL in it may carry credentials or a key).
 */
final class ExportFailures {

    /** HttpURLConnection's way of saying any other error status (the Zipkin sender). */
    private static final Pattern HTTP_URL_CONNECTION_STATUS =
            Pattern.compile("Server returned HTTP response code: (\\d{3}) for URL: (\\S+)");

    /** A connect failure that came with no words (the JDK's HttpClient's, when the connection was refused). */
    static final String NOT_CONNECTED = "connection refused, or the address cannot be reached";

    private ExportFailures() {
    }

    /** @return the cause in words, or null when the exporter gave none */
    static String describe(Throwable failure) {
        if (failure == null) {
            return null;
        }
        // The OTLP exporters' failure (an SDK-internal class, the only one that carries the backend's answer).
        if (failure instanceof FailedExportException.HttpExportException http) {
            HttpResponse response = http.getResponse();
            return response != null ? "HTTP " + response.getStatusCode() + text(response.getStatusMessage())
                    : otlp(http.getCause());
        }
        if (failure instanceof FailedExportException.GrpcExportException grpc) {
            GrpcResponse response = grpc.getResponse();
            return response != null ? grpcStatus(response) : otlp(grpc.getCause());
        }
        if (failure instanceof FileNotFoundException notFound) {
            // HttpURLConnection's way of saying 404 (the Zipkin sender): its message is the URL.
            return "HTTP 404 Not Found for " + Urls.redactIn(notFound.getMessage()) + ": check the path";
        }
        if (failure instanceof HttpRetryException refused && refused.responseCode() == 401) {
            // HttpURLConnection's words for a 401 on a streamed body: "cannot retry due to server authentication".
            return "HTTP 401 Unauthorized: the back-end wants credentials it was not given, or refused them";
        }
        String message = message(failure);
        if (failure instanceof SocketTimeoutException || failure instanceof HttpTimeoutException
                || failure instanceof InterruptedIOException && message != null
                && message.toLowerCase(Locale.ROOT).matches(".*(timeout|timed out).*")) {
            return timeout(failure, message);
        }
        Matcher status = message == null ? null : HTTP_URL_CONNECTION_STATUS.matcher(message);
        if (failure instanceof IOException && status != null && status.matches()) {
            // Said as the OTLP exporters' answers are ("HTTP 401 …"), not as a Java exception the reader must decode.
            return "HTTP " + status.group(1) + " for " + Urls.redactIn(status.group(2));
        }
        if (message == null && failure.getClass().getSimpleName().equals("ConnectionShutdownException")) {
            // OkHttp's (an internal class, so named, not imported) for an HTTP/2 connection the collector closed
            // before the export's stream could start on it, which says nothing in a message of its own.
            return "ConnectionShutdownException: the collector closed the connection before the export could be sent";
        }
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + Urls.redactIn(message));
    }

    /** A gRPC answer in words: {@code gRPC status UNAVAILABLE} and the server's message, if any. */
    static String grpcStatus(GrpcResponse response) {
        return "gRPC status " + response.getStatusCode() + text(response.getStatusDescription());
    }

    /**
     * The failure's message, else its causes' first: the JDK's HttpClient (the OTLP/HTTP sender) throws a connect
     * failure again with none, and the one it wraps may have none either (a refused connection on Linux is a
     * ConnectException around a ClosedChannelException, all three without words), so that is said here.
     */
    private static String message(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return failure instanceof ConnectException ? NOT_CONNECTED : null;
    }

    /**
     * An OTLP exporter's failure without an answer: a TLS handshake that failed is said with the variables that fix
     * it (the TLS library's words alone, "PKIX path building failed", name none), else as {@link #describe} says.
     */
    private static String otlp(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException ssl) {
                String words = OtlpTlsFailure.words(ssl.getMessage());
                if (words != null) {
                    return words + " (" + ssl.getClass().getSimpleName() + ": " + Urls.redactIn(ssl.getMessage()) + ")";
                }
            }
        }
        return describe(cause);
    }

    /**
     * A timeout, in words that tell a hung back-end (it took the connection and never answered: a stuck collector, a
     * load balancer with no healthy target) from one that cannot be reached, rather than the senders' bare words:
     * OkHttp's "timeout", the JDK's HttpClient's "request timed out".
     */
    private static String timeout(Throwable failure, String message) {
        String raw = failure.getClass().getSimpleName() + (message == null ? "" : ": " + Urls.redactIn(message));
        if (message != null && message.toLowerCase(Locale.ROOT).contains("connect")) {
            return "no connection within the timeout: the back-end's address takes no connections, or a firewall drops"
                    + " them (" + raw + ")";
        }
        return "no answer within the timeout: the back-end took the connection but did not answer, as a hung"
                + " collector or a load balancer with no healthy target does (" + raw + ")";
    }

    private static String text(String detail) {
        return detail == null || detail.isBlank() ? "" : " " + Urls.redactIn(detail.strip());
    }
}
