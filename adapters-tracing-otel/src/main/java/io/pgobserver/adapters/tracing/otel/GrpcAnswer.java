package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import okhttp3.Headers;
import okhttp3.Response;
import okio.BufferedSource;
import okio.Okio;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * A collector's answer to one export: the gRPC status and its message from the trailers (or from the headers, when
 * the answer is trailers-only, as an error without a message is), and the response message without its 5-byte
 * prefix. An HTTP status other than 200 (a proxy's, or a server that speaks no gRPC) is read as the gRPC spec's
 * table says, so a 503 is UNAVAILABLE and retried, a 404 UNIMPLEMENTED.
 */
record GrpcAnswer(GrpcStatusCode status, String description, byte[] message) implements GrpcResponse {

    private static final byte[] NONE = new byte[0];

    @Override
    public GrpcStatusCode getStatusCode() {
        return status;
    }

    @Override
    public String getStatusDescription() {
        return description;
    }

    @Override
    public byte[] getResponseMessage() {
        return message;
    }

    /**
     * @param limit the most bytes of response message taken (the exporter's bound); a longer one is answered as
     *              RESOURCE_EXHAUSTED, as the SDK's own sender does
     * @throws IOException when the answer cannot be read (the connection broke, the call timed out)
     */
    static GrpcAnswer read(Response response, long limit) throws IOException {
        String trailersOnly = response.header("grpc-status");
        if (trailersOnly != null) {
            return new GrpcAnswer(status(trailersOnly), unescape(response.header("grpc-message")), NONE);
        }
        if (response.code() != 200) {
            return new GrpcAnswer(fromHttp(response.code()), "HTTP " + response.code(), NONE);
        }
        BufferedSource body = response.body().source();
        byte[] message = NONE;
        if (!body.exhausted()) {
            boolean compressed = body.readByte() != 0;
            long length = body.readInt() & 0xFFFF_FFFFL;
            if (length > limit) {
                return tooLarge(limit);
            }
            message = body.readByteArray(length);
            if (compressed) {
                String encoding = response.header("grpc-encoding");
                if (!"gzip".equalsIgnoreCase(encoding)) {
                    return new GrpcAnswer(GrpcStatusCode.INTERNAL, "unsupported grpc-encoding " + encoding, NONE);
                }
                message = gunzip(message, limit);
                if (message == null) {
                    return tooLarge(limit);
                }
            }
        }
        // A unary call's answer holds one message; the trailers come after whatever else there is.
        body.readAll(Okio.blackhole());
        Headers trailers = response.trailers();
        String status = trailers.get("grpc-status");
        return status == null
                ? new GrpcAnswer(GrpcStatusCode.UNKNOWN, "the answer carried no grpc-status", message)
                : new GrpcAnswer(status(status), unescape(trailers.get("grpc-message")), message);
    }

    private static GrpcAnswer tooLarge(long limit) {
        return new GrpcAnswer(GrpcStatusCode.RESOURCE_EXHAUSTED,
                "gRPC response message exceeded the limit of " + limit + " bytes", NONE);
    }

    /** @return null when the message is larger than the limit unpacked */
    private static byte[] gunzip(byte[] packed, long limit) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(packed))) {
            byte[] message = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
            return message.length > limit ? null : message;
        }
    }

    private static GrpcStatusCode status(String value) {
        try {
            GrpcStatusCode status = GrpcStatusCode.fromValue(Integer.parseInt(value.strip()));
            return status == null ? GrpcStatusCode.UNKNOWN : status;
        } catch (NumberFormatException e) {
            return GrpcStatusCode.UNKNOWN;
        }
    }

    /** The gRPC spec's mapping of an HTTP status that came without a gRPC one. */
    static GrpcStatusCode fromHttp(int code) {
        return switch (code) {
            case 400 -> GrpcStatusCode.INTERNAL;
            case 401 -> GrpcStatusCode.UNAUTHENTICATED;
            case 403 -> GrpcStatusCode.PERMISSION_DENIED;
            case 404 -> GrpcStatusCode.UNIMPLEMENTED;
            case 429, 502, 503, 504 -> GrpcStatusCode.UNAVAILABLE;
            default -> GrpcStatusCode.UNKNOWN;
        };
    }

    /** grpc-message is percent-encoded UTF-8; a {@code %} not followed by two hex digits stands for itself. */
    static String unescape(String value) {
        if (value == null || value.indexOf('%') < 0) {
            return value;
        }
        byte[] ascii = value.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream text = new ByteArrayOutputStream(ascii.length);
        for (int i = 0; i < ascii.length; i++) {
            if (ascii[i] == '%' && i + 2 < ascii.length && HexFormat.isHexDigit(ascii[i + 1])
                    && HexFormat.isHexDigit(ascii[i + 2])) {
                text.write(HexFormat.fromHexDigit(ascii[i + 1]) << 4 | HexFormat.fromHexDigit(ascii[i + 2]));
                i += 2;
            } else {
                text.write(ascii[i]);
            }
        }
        return text.toString(StandardCharsets.UTF_8);
    }
}
