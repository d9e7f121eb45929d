package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.pgobserver.domain.observer.Urls;

import java.io.FileNotFoundException;

/**
 * Why an export failed, in a few words for the exporter's warning: the HTTP status or gRPC status the backend
 * answered, else the exception's type and message, redacted (a URL in it may carry credentials or a key).
 */
final class ExportFailures {

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
                    : describe(http.getCause());
        }
        if (failure instanceof FailedExportException.GrpcExportException grpc) {
            GrpcResponse response = grpc.getResponse();
            return response != null ? "gRPC status " + response.getStatusCode() + text(response.getStatusDescription())
                    : describe(grpc.getCause());
        }
        if (failure instanceof FileNotFoundException notFound) {
            // HttpURLConnection's way of saying 404 (the Zipkin sender): its message is the URL.
            return "HTTP 404 Not Found for " + Urls.redactIn(notFound.getMessage()) + ": check the path";
        }
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + Urls.redactIn(message));
    }

    private static String text(String detail) {
        return detail == null || detail.isBlank() ? "" : " " + Urls.redactIn(detail.strip());
    }
}
