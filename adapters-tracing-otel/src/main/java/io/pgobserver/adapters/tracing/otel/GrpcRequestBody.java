package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.MessageWriter;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.Buffer;
import okio.BufferedSink;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One gRPC message as a request body: a flag byte (1 when compressed), the message's length in 4 bytes big-endian,
 * and the message, written by the exporter's marshaler (compressed through the exporter's compressor when it has
 * one). Written again for every attempt of an export.
 */
final class GrpcRequestBody extends RequestBody {

    private static final MediaType GRPC = MediaType.get("application/grpc");

    private final MessageWriter message;
    private final Compressor compressor;

    /** @param compressor null to send the message as it is */
    GrpcRequestBody(MessageWriter message, Compressor compressor) {
        this.message = message;
        this.compressor = compressor;
    }

    @Override
    public MediaType contentType() {
        return GRPC;
    }

    @Override
    public long contentLength() {
        // A compressed message's length is known once it is compressed, which happens on the call's thread.
        return compressor == null ? 5L + message.getContentLength() : -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        if (compressor == null) {
            sink.writeByte(0).writeInt(message.getContentLength());
            message.writeMessage(sink.outputStream());
            return;
        }
        try (Buffer compressed = new Buffer()) {
            try (OutputStream out = compressor.compress(compressed.outputStream())) {
                message.writeMessage(out);
            }
            sink.writeByte(1).writeInt((int) compressed.size()).writeAll(compressed);
        }
    }
}
