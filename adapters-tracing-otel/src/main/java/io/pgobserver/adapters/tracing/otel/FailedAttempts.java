package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.function.Consumer;

/**
 * An OTLP exporter's failed attempts, told as they happen. The exporter retries a batch its back-end could not take
 * (1 s, 1.5 s, 2.25 s … apart, up to its timeout) and says that the batch failed only then, so the warning of a
 * collector gone came some 10 s after it went. The exporter asks its retry policy whether to retry each attempt that
 * failed with an I/O error; the policy given here answers as the exporter's own does, and tells of each attempt it
 * will retry first.
 */
final class FailedAttempts {

    private FailedAttempts() {
    }

    /**
     * @param retries      whether the exporter retries ({@code otel.java.exporter.otlp.retry.disabled} not set):
     *                     without retries the failed attempt is the failed export, told at once already
     * @param willRetry    told of each attempt that failed and will be retried
     * @return the exporter with that policy (the given one shut down), or the given one when it is no OTLP exporter
     */
    static SpanExporter watched(SpanExporter exporter, boolean retries, Consumer<IOException> willRetry) {
        if (!retries) {
            return exporter;
        }
        RetryPolicy policy = RetryPolicy.getDefault().toBuilder().setRetryExceptionPredicate(failure -> {
            boolean retry = retried(failure);
            if (retry) {
                willRetry.accept(failure);
            }
            return retry;
        }).build();
        SpanExporter watched;
        if (exporter instanceof OtlpGrpcSpanExporter grpc) {
            watched = grpc.toBuilder().setRetryPolicy(policy).build();
        } else if (exporter instanceof OtlpHttpSpanExporter http) {
            watched = http.toBuilder().setRetryPolicy(policy).build();
        } else {
            return exporter;
        }
        // Built a moment ago and never used: its shutdown releases its client, and sends nothing.
        exporter.shutdown();
        return watched;
    }

    /**
     * What the OTLP exporters retry when their policy names nothing: a connection refused, reset or timed out, and a
     * host not found. A call that ran out of the exporter's whole timeout is not retried (nothing is left for it).
     */
    static boolean retried(IOException failure) {
        return failure instanceof SocketException || failure instanceof SocketTimeoutException
                || failure instanceof UnknownHostException;
    }
}
