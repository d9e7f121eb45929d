package io.pgobserver.benchmarks.load;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The receiver process's OTLP/gRPC endpoint ({@code --otlp-protocol grpc}, the observer's default protocol): the
 * collector's trace service, {@code opentelemetry.proto.collector.trace.v1.TraceService/Export}, served by grpc-java
 * on loopback. The request stays bytes: its spans are counted by walking the wire format ({@link OtlpSpanCount}), as
 * the HTTP endpoint does, and the answer is an empty {@code ExportTraceServiceResponse} (all accepted). grpc-java
 * undoes a gzip-compressed message itself; the bytes counted are the message's size on the wire, from its stream
 * tracer.
 */
public final class OtlpGrpcReceiver implements AutoCloseable {

    static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> EXPORT = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private final Server server;
    private final OtlpTally tally;

    private OtlpGrpcReceiver(Server server, OtlpTally tally) {
        this.server = server;
        this.tally = tally;
    }

    /** A receiver of its own tally, for SpanExportBenchmark (OTLP over gRPC). */
    public static OtlpGrpcReceiver start() throws IOException {
        return start(new OtlpTally());
    }

    /** Listens on an ephemeral loopback port; every export is added to {@code tally}. */
    static OtlpGrpcReceiver start(OtlpTally tally) throws IOException {
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(EXPORT, ServerCalls.asyncUnaryCall((request, response) -> {
                    // The message's wire size was added by its stream's tracer when it arrived.
                    tally.export(OtlpSpanCount.count(request));
                    response.onNext(new byte[0]);
                    response.onCompleted();
                }))
                .build();
        ServerStreamTracer.Factory wireBytes = new ServerStreamTracer.Factory() {
            @Override
            public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                return new ServerStreamTracer() {
                    @Override
                    public void inboundWireSize(long bytes) {
                        tally.wireBytes(bytes);
                    }
                };
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(service).addStreamTracerFactory(wireBytes)
                .maxInboundMessageSize(256 * 1024 * 1024).build().start();
        return new OtlpGrpcReceiver(server, tally);
    }

    public int port() {
        return server.getPort();
    }

    /** What it took in, as {@code key=value} lines. */
    public String stats() {
        return tally.statsLines();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
