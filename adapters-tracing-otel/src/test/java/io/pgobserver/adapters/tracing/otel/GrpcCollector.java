package io.pgobserver.adapters.tracing.otel;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;

import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An OTLP gRPC receiver for the ITs: a grpc-java server that decodes the real OTLP protobuf (as a collector, Tempo or
 * Jaeger would), keeps each call's headers, and answers the next calls with the errors queued, if any.
 */
final class GrpcCollector implements AutoCloseable {

    static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

    final OtlpRequests received = new OtlpRequests();
    final List<Metadata> headers = new CopyOnWriteArrayList<>();
    /** What the next calls are answered, one each; when none is left, the export's success. */
    final Queue<Status> errors = new ConcurrentLinkedQueue<>();
    /** Whether an error goes after the response headers, rather than as a trailers-only answer. */
    volatile boolean errorsAfterHeaders;
    private final Server server;

    GrpcCollector() throws IOException {
        ServerInterceptor interceptor = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
                                                              ServerCallHandler<Q, R> next) {
                headers.add(metadata);
                if (errorsAfterHeaders && !errors.isEmpty()) {
                    call.sendHeaders(new Metadata());
                    call.close(errors.poll(), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, metadata);
            }
        };
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> response) {
                        Status error = errors.poll();
                        if (error != null) {
                            response.onError(error.asRuntimeException());
                            return;
                        }
                        received.add(request);
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                }, interceptor)).build().start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** Each call's header of that name, in the order the calls came. */
    List<String> header(Metadata.Key<String> key) {
        return headers.stream().map(h -> String.valueOf(h.get(key))).toList();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
}
