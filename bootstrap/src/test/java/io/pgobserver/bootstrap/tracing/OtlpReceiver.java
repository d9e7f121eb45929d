package io.pgobserver.bootstrap.tracing;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP receiver in the test, as a collector, Tempo or Jaeger would be: over gRPC a grpc-java server, over
 * HTTP/protobuf a JDK HTTP server on {@code /v1/traces} and {@code /v1/metrics}. Both decode the real
 * {@code ExportTraceServiceRequest} and {@code ExportMetricsServiceRequest}. Either may want TLS and a client
 * certificate ({@link #tls}), as a collector across a network does, and both keep each request's headers.
 */
public final class OtlpReceiver implements SpanBackend {

    private final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();
    private final List<ExportMetricsServiceRequest> metricRequests = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private final List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
    private final String protocol;
    private String scheme = "http";
    private final Runnable stop;
    private final Runnable stopAfterAnswering;
    private final int port;

    private OtlpReceiver(String protocol, Server grpc, HttpServer http) {
        this.protocol = protocol;
        if (grpc != null) {
            port = grpc.getPort();
            stop = () -> awaitTermination(grpc.shutdownNow());
            stopAfterAnswering = () -> awaitTermination(grpc.shutdown());
        } else {
            port = http.getAddress().getPort();
            stop = () -> http.stop(0);
            // Returns as soon as no exchange is in progress: the bound is for one that never ends.
            stopAfterAnswering = () -> http.stop(10);
        }
    }

    private static void awaitTermination(Server grpc) {
        try {
            if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
                grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** OTLP over gRPC. */
    static OtlpReceiver grpc() throws IOException {
        return grpc(0);
    }

    /** OTLP over {@code protocol} on {@code port}: a collector restarted where it was ({@code port} 0: a free one). */
    static OtlpReceiver start(String protocol, int port) throws IOException {
        return protocol.equals("grpc") ? grpc(port) : http("", port);
    }

    private static OtlpReceiver grpc(int port) throws IOException {
        return grpc(port, InsecureServerCredentials.create());
    }

    /**
     * OTLP over {@code protocol} on a free port, over TLS with the collector's self-signed certificate, and taking
     * only a client that shows the observer's certificate; HTTP/protobuf under {@code prefix}.
     */
    static OtlpReceiver tls(String protocol, String prefix, CollectorCertificates certificates)
            throws IOException, GeneralSecurityException {
        OtlpReceiver receiver;
        if (protocol.equals("grpc")) {
            receiver = grpc(0, TlsServerCredentials.newBuilder().keyManager(certificates.collectorKey().getKeyManagers())
                    .trustManager(certificates.trustingTheClient().getTrustManagers())
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build());
        } else {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(certificates.collectorKey().getKeyManagers(),
                    certificates.trustingTheClient().getTrustManagers(), null);
            receiver = http(prefix, 0, context);
        }
        receiver.scheme = "https";
        return receiver;
    }

    private static OtlpReceiver grpc(int port, ServerCredentials credentials) throws IOException {
        OtlpReceiver[] self = new OtlpReceiver[1];
        Server server = Grpc.newServerBuilderForPort(port, credentials)
                .intercept(new ServerInterceptor() {
                    @Override
                    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata,
                                                                      ServerCallHandler<Q, R> next) {
                        Map<String, String> kept = new LinkedHashMap<>();
                        metadata.keys().stream().filter(key -> !key.endsWith(Metadata.BINARY_HEADER_SUFFIX)).forEach(
                                key -> kept.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))));
                        self[0].headers.add(kept);
                        return next.startCall(call, metadata);
                    }
                })
                .addService(new TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                                       StreamObserver<ExportTraceServiceResponse> response) {
                        answer(self[0].requests, request, response, ExportTraceServiceResponse.getDefaultInstance());
                    }
                })
                .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(ExportMetricsServiceRequest request,
                                       StreamObserver<ExportMetricsServiceResponse> response) {
                        answer(self[0].metricRequests, request, response,
                                ExportMetricsServiceResponse.getDefaultInstance());
                    }
                }).build().start();
        self[0] = new OtlpReceiver("grpc", server, null);
        return self[0];
    }

    /** Keeps the request and answers success, as a collector does. */
    private static <Q, R> void answer(List<Q> into, Q request, StreamObserver<R> response, R success) {
        into.add(request);
        response.onNext(success);
        response.onCompleted();
    }

    /** OTLP over HTTP/protobuf, on {@code /v1/traces} and {@code /v1/metrics}. */
    public static OtlpReceiver http() throws IOException {
        return http("");
    }

    /**
     * OTLP over HTTP/protobuf on {@code prefix + "/v1/traces"} and {@code prefix + "/v1/metrics"}: a collector behind
     * a path, where a generic endpoint {@code http://host/prefix} must get the signal path appended. Requests to any
     * other path get 404.
     */
    static OtlpReceiver http(String prefix) throws IOException {
        return http(prefix, 0);
    }

    private static OtlpReceiver http(String prefix, int port) throws IOException {
        return http(prefix, port, null);
    }

    private static OtlpReceiver http(String prefix, int port, SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(address, 0);
        } else {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters parameters) {
                    parameters.setNeedClientAuth(true);
                }
            });
            server = https;
        }
        OtlpReceiver receiver = new OtlpReceiver("http/protobuf", null, server);
        server.createContext("/", exchange -> {
            Map<String, String> kept = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> kept.put(name.toLowerCase(Locale.ROOT),
                    values.getFirst()));
            receiver.headers.add(kept);
            try (InputStream raw = exchange.getRequestBody();
                 InputStream body = "gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                         ? new GZIPInputStream(raw) : raw) {
                String path = exchange.getRequestURI().getPath();
                receiver.paths.add(path);
                if (!"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                if (path.equals(prefix + "/v1/traces")) {
                    receiver.requests.add(ExportTraceServiceRequest.parseFrom(body));
                } else if (path.equals(prefix + "/v1/metrics")) {
                    receiver.metricRequests.add(ExportMetricsServiceRequest.parseFrom(body));
                } else {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return receiver;
    }

    int port() {
        return port;
    }

    @Override
    public String exporter() {
        return "otlp";
    }

    /** No path for HTTP either: the exporter adds {@code /v1/traces}, as {@code OTEL_EXPORTER_OTLP_ENDPOINT} means. */
    @Override
    public String endpoint() {
        return scheme + "://127.0.0.1:" + port;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    private Stream<Span> allSpans() {
        return requests.stream().flatMap(r -> r.getResourceSpansList().stream())
                .flatMap(r -> r.getScopeSpansList().stream()).flatMap(s -> s.getSpansList().stream());
    }

    @Override
    public List<ExportedSpan> spans(String traceId) {
        return allSpans().filter(span -> hex(span.getTraceId()).equals(traceId)).map(OtlpReceiver::exported).toList();
    }

    /** Every span of this name received so far, from any trace. */
    public List<ExportedSpan> spansNamed(String name) {
        return allSpans().filter(span -> span.getName().equals(name)).map(OtlpReceiver::exported).toList();
    }

    /** The trace ids of every span received, once each. */
    List<String> traceIds() {
        return allSpans().map(span -> hex(span.getTraceId())).distinct().toList();
    }

    /** The headers of every request, names in lower case, in order. */
    List<Map<String, String>> headers() {
        return List.copyOf(headers);
    }

    /** The paths HTTP requests went to, in order. */
    List<String> paths() {
        return List.copyOf(paths);
    }

    /** One resource attribute of the resources that carried the trace's spans, once each. */
    List<String> resourceAttribute(String traceId, String key) {
        return requests.stream().flatMap(r -> r.getResourceSpansList().stream())
                .filter(r -> r.getScopeSpansList().stream().flatMap(s -> s.getSpansList().stream())
                        .anyMatch(span -> hex(span.getTraceId()).equals(traceId)))
                .flatMap(r -> r.getResource().getAttributesList().stream())
                .filter(kv -> kv.getKey().equals(key)).map(kv -> text(kv.getValue())).distinct().toList();
    }

    @Override
    public List<String> serviceNames(String traceId) {
        return resourceAttribute(traceId, "service.name");
    }

    /**
     * The latest value received of a sum metric's data point that carries the attribute {@code key=value}; empty
     * until one arrives. The SDK exports cumulative sums, so the latest value is the count so far.
     */
    OptionalLong latestSum(String metric, String key, String value) {
        List<NumberDataPoint> points = metrics(metric).filter(Metric::hasSum)
                .flatMap(m -> m.getSum().getDataPointsList().stream())
                .filter(point -> point.getAttributesList().stream()
                        .anyMatch(kv -> kv.getKey().equals(key) && text(kv.getValue()).equals(value)))
                .toList();
        return points.isEmpty() ? OptionalLong.empty() : OptionalLong.of(points.getLast().getAsInt());
    }

    /** The latest value received of a gauge without attributes; empty until one arrives. */
    OptionalLong latestGauge(String metric) {
        List<NumberDataPoint> points = metrics(metric).filter(Metric::hasGauge)
                .flatMap(m -> m.getGauge().getDataPointsList().stream()).toList();
        return points.isEmpty() ? OptionalLong.empty() : OptionalLong.of(points.getLast().getAsInt());
    }

    /**
     * The latest count received of a histogram's data point that carries the attribute {@code key=value}; empty
     * until one arrives (cumulative, as {@link #latestSum}).
     */
    OptionalLong latestHistogramCount(String metric, String key, String value) {
        var points = metrics(metric).filter(Metric::hasHistogram)
                .flatMap(m -> m.getHistogram().getDataPointsList().stream())
                .filter(point -> point.getAttributesList().stream()
                        .anyMatch(kv -> kv.getKey().equals(key) && text(kv.getValue()).equals(value)))
                .toList();
        return points.isEmpty() ? OptionalLong.empty() : OptionalLong.of(points.getLast().getCount());
    }

    /** The names of every metric received, once each. */
    List<String> metricNames() {
        return metrics(null).map(Metric::getName).distinct().toList();
    }

    /** One resource attribute of the resources that carried metrics, once each. */
    List<String> metricResourceAttribute(String key) {
        return metricRequests.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .flatMap(r -> r.getResource().getAttributesList().stream())
                .filter(kv -> kv.getKey().equals(key)).map(kv -> text(kv.getValue())).distinct().toList();
    }

    /** The metrics of that name in the order received; every metric when {@code name} is null. */
    private Stream<Metric> metrics(String name) {
        return metricRequests.stream().flatMap(r -> r.getResourceMetricsList().stream())
                .flatMap(r -> r.getScopeMetricsList().stream()).flatMap(s -> s.getMetricsList().stream())
                .filter(m -> name == null || m.getName().equals(name));
    }

    private static ExportedSpan exported(Span span) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (KeyValue kv : span.getAttributesList()) {
            attributes.put(kv.getKey(), text(kv.getValue()));
        }
        return new ExportedSpan(span.getName(), hex(span.getTraceId()), hex(span.getSpanId()),
                span.getParentSpanId().isEmpty() ? null : hex(span.getParentSpanId()),
                span.getKind().name().replace("SPAN_KIND_", ""),
                span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR, attributes,
                span.getEventsList().stream().map(Span.Event::getName).toList(),
                span.getLinksList().stream().map(link -> hex(link.getTraceId())).toList());
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    /** Gone at once, as a collector that crashed: an export it has taken may never be answered. */
    @Override
    public void close() {
        stop.run();
    }

    /**
     * Gone as a collector restarted with a SIGTERM is: it takes no new export and answers those it has taken, so the
     * exporter learns of the outage from its next export, not from one left unanswered (the SDK does not retry an
     * answer cut off, and fails that batch at once).
     */
    void closeAfterAnswering() {
        stopAfterAnswering.run();
    }

    @Override
    public String toString() {
        return "otlp " + protocol;
    }
}
