package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * An OTLP exporter's failed attempts, told as they happen. The exporter retries a batch its back-end could not take
 * (1 s, 1.5 s, 2.25 s … apart, up to its timeout) and says that the batch failed only then, so the warning of a
 * collector gone or answering 503 came some 10 s after it began. Which failures are retried is the SDK's to decide (a
 * connection refused or reset, HTTP 429/502/503/504, gRPC UNAVAILABLE and others), and nothing in its API tells of
 * them as they happen: a retry policy's predicate sees I/O errors only, and one set replaces the SDK's own choice.
 * What the SDK's senders do is say each failed attempt, and whether they retry it, on their debug log; that log is
 * read here ({@link SenderLines}), on the threads of an executor of the exporter's own, so that each attempt is told to
 * the exporter that made it. pg-observer's gRPC sender, which runs its calls on the same executor, tells
 * {@link #retrying} itself. A later SDK that words those lines otherwise only loses the early line: the batch's
 * failure is still warned when its retries run out.
 */
final class FailedAttempts {

    /** The SDK's senders' loggers are under it: they say each attempt at FINER, which nothing shows by default. */
    private static final Logger SENDERS = Logger.getLogger("io.opentelemetry.exporter.sender");
    /** Who is told of the attempts made on this thread: set on the threads of a watched exporter's executor. */
    private static final ThreadLocal<Consumer<String>> TOLD = new ThreadLocal<>();

    static {
        SENDERS.addHandler(new Handler() {
            @Override
            public void publish(LogRecord line) {
                String cause = TOLD.get() == null ? null : SenderLines.retried(line);
                if (cause != null) {
                    retrying(cause);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private FailedAttempts() {
    }

    /**
     * Tells the exporter whose call runs on this thread, if it is watched, that an attempt failed for this cause and
     * will be retried. pg-observer's own gRPC sender ({@link NoDelayGrpcSender}) says so here; the SDK's senders'
     * lines come here through their log.
     */
    static void retrying(String cause) {
        Consumer<String> told = TOLD.get();
        if (told != null) {
            told.accept(cause);
        }
    }

    /**
     * @param retries   whether the exporter retries ({@code otel.java.exporter.otlp.retry.disabled} not set):
     *                  without retries the failed attempt is the failed export, told at once already
     * @param willRetry told of each attempt that failed and will be retried, with its cause in words
     * @return the exporter, rebuilt on an executor of its own (the given one shut down), or the given one when it is
     *         no OTLP exporter
     */
    static SpanExporter watched(SpanExporter exporter, boolean retries, Consumer<String> willRetry) {
        if (!retries || !(exporter instanceof OtlpGrpcSpanExporter || exporter instanceof OtlpHttpSpanExporter)) {
            return exporter;
        }
        // Set again for each exporter: a logging configuration read since may have reset it.
        SENDERS.setLevel(Level.FINER);
        ExecutorService calls = calls(willRetry);
        SpanExporter watched = exporter instanceof OtlpGrpcSpanExporter grpc
                ? grpc.toBuilder().setExecutorService(calls).build()
                : ((OtlpHttpSpanExporter) exporter).toBuilder().setExecutorService(calls).build();
        // Built a moment ago and never used: its shutdown releases its client, and sends nothing.
        exporter.shutdown();
        return new OnItsOwnThreads(watched, calls);
    }

    /**
     * As the SDK's own executor for its calls (daemon threads, none kept idle past a minute), each thread telling
     * {@code willRetry} of the attempts made on it.
     */
    private static ExecutorService calls(Consumer<String> willRetry) {
        ThreadFactory threads = Thread.ofPlatform().daemon().name("otlp-export-", 1).factory();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                call -> threads.newThread(() -> {
                    TOLD.set(willRetry);
                    call.run();
                }));
    }

    /**
     * The exporter on its executor, which its shutdown ends: the SDK leaves an executor it was given running, and a
     * retry waiting out its backoff would hold the stop (the SDK interrupts its own executor's threads likewise).
     */
    private record OnItsOwnThreads(SpanExporter delegate, ExecutorService calls) implements SpanExporters.Forwarding {
        @Override
        public CompletableResultCode shutdown() {
            CompletableResultCode result = delegate.shutdown();
            result.whenComplete(calls::shutdownNow);
            return result;
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
