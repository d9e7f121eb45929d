package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import zipkin2.reporter.BytesMessageSender;
import zipkin2.reporter.Encoding;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The Zipkin exporter (1.63.0, its last release) fails its result without the cause its sender threw, so a warning
 * could not say "HTTP 404" for a wrong path. The sender here keeps that cause, and the exporter hands it on as the
 * failure's throwable ({@link CompletableResultCode#getFailureThrowable()}), as the OTLP exporters do.
 */
final class ZipkinFailureCause {

    private ZipkinFailureCause() {
    }

    /** @param exporter builds the Zipkin exporter on the sender it is given */
    static SpanExporter wrap(BytesMessageSender sender, Function<BytesMessageSender, SpanExporter> exporter) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        return new Exporter(exporter.apply(new Sender(sender, failure)), failure);
    }

    /** A sender that remembers why its last send failed. */
    record Sender(BytesMessageSender delegate, AtomicReference<Throwable> failure) implements BytesMessageSender {
        @Override
        public void send(List<byte[]> encodedSpans) throws IOException {
            try {
                delegate.send(encodedSpans);
            } catch (IOException | RuntimeException e) {
                failure.set(e);
                throw e;
            }
        }

        @Override
        public Encoding encoding() {
            return delegate.encoding();
        }

        @Override
        public int messageMaxBytes() {
            return delegate.messageMaxBytes();
        }

        @Override
        public int messageSizeInBytes(List<byte[]> encodedSpans) {
            return delegate.messageSizeInBytes(encodedSpans);
        }

        @Override
        public int messageSizeInBytes(int encodedSizeInBytes) {
            return delegate.messageSizeInBytes(encodedSizeInBytes);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /** The exporter whose failed result carries the sender's cause. */
    record Exporter(SpanExporter delegate, AtomicReference<Throwable> failure) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            failure.set(null);
            CompletableResultCode result = delegate.export(spans);
            // The Zipkin exporter sends on the calling thread, so its result is complete here, cause and all.
            Throwable cause = failure.getAndSet(null);
            if (result.isDone() && !result.isSuccess() && result.getFailureThrowable() == null && cause != null) {
                return CompletableResultCode.ofExceptionalFailure(cause);
            }
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return delegate.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }
}
