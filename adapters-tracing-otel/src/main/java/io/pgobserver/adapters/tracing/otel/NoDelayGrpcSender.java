package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.api.impl.InstrumentationUtil;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.pgobserver.sockets.NoDelaySockets;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * OTLP over gRPC on OkHttp, as the SDK's own OkHttp gRPC sender does it but on {@link NoDelaySockets}: the SDK's
 * builds its OkHttpClient inside itself with no way to give it a socket factory, so every export over a kept-alive
 * connection waited some 40 ms on the collector's delayed ACK, and at the SDK's default batch the export thread fell
 * behind and spans were dropped (docs/performance.md, "Nagle's algorithm and the export thread"). HTTP/2 with prior
 * knowledge to http:// endpoints, HTTP/2 or HTTP/1.1 by ALPN to https:// ones; the exporter's timeout, headers,
 * compression, TLS settings, retry policy and executor, all as the SDK's sender takes them.
 */
final class NoDelayGrpcSender implements GrpcSender {

    /** What {@link SpanExporters#components} gives the SDK when it asks for a gRPC sender. */
    static final class Provider implements GrpcSenderProvider {
        @Override
        public GrpcSender createSender(GrpcSenderConfig config) {
            return new NoDelayGrpcSender(config);
        }
    }

    private final OkHttpClient client;
    private final HttpUrl url;
    private final Compressor compressor;
    private final Supplier<Map<String, List<String>>> headers;
    private final RetryPolicy retryPolicy;
    private final Duration timeout;
    private final long maxResponseBodySize;
    /** The dispatcher's threads when this sender made them (null when the exporter gave its executor). */
    private final ExecutorService ownThreads;

    NoDelayGrpcSender(GrpcSenderConfig config) {
        // Resolved as the SDK's sender does: the method's path replaces any path the endpoint has.
        url = HttpUrl.get(config.getEndpoint().resolve("/" + config.getFullMethodName()).toString());
        compressor = config.getCompressor();
        headers = config.getHeadersSupplier();
        retryPolicy = config.getRetryPolicy();
        timeout = config.getTimeout();
        maxResponseBodySize = config.getMaxResponseBodySize();
        ownThreads = config.getExecutorService() == null ? daemonThreads() : null;
        OkHttpClient.Builder builder = new OkHttpClient.Builder()
                .dispatcher(new Dispatcher(ownThreads != null ? ownThreads : config.getExecutorService()))
                .callTimeout(millis(timeout)).connectTimeout(millis(config.getConnectTimeout()))
                .socketFactory(new NoDelaySockets());
        if (url.scheme().equals("http")) {
            builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT)).protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
        } else {
            builder.protocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
            SSLContext tls = config.getSslContext();
            if (tls != null) {
                X509TrustManager trust = config.getTrustManager();
                builder.sslSocketFactory(tls.getSocketFactory(), trust != null ? trust : defaultTrust());
            }
            List<String> versions = config.getEnabledProtocols();
            if (versions != null && !versions.isEmpty()) {
                builder.connectionSpecs(List.of(new ConnectionSpec.Builder(ConnectionSpec.COMPATIBLE_TLS)
                        .tlsVersions(versions.stream().map(TlsVersion::forJavaName).toArray(TlsVersion[]::new))
                        .build()));
            }
        }
        client = builder.build();
    }

    @Override
    public void send(MessageWriter message, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        Request.Builder request = new Request.Builder().url(url);
        Map<String, List<String>> extra = headers.get();
        if (extra != null) {
            extra.forEach((name, values) -> values.forEach(value -> request.addHeader(name, value)));
        }
        request.header("te", "trailers");
        if (compressor != null) {
            request.header("grpc-encoding", compressor.getEncoding());
            request.header("grpc-accept-encoding", "identity," + compressor.getEncoding());
        }
        attempt(request.post(new GrpcRequestBody(message, compressor)).build(),
                new GrpcRetries(retryPolicy, timeout), onResponse, onError);
    }

    /**
     * One attempt; the next, if any, is made from this one's callback, after the backoff, on the dispatcher's thread
     * (as the SDK's sender does). Each attempt's own timeout is what is left of the export's.
     */
    private void attempt(Request request, GrpcRetries retries, Consumer<GrpcResponse> onResponse,
                         Consumer<Throwable> onError) {
        // Enqueued in a context that says "do not trace this", as the SDK's own senders do: with the OpenTelemetry
        // Java agent attached, its OkHttp instrumentation would otherwise trace every export as a client call, whose
        // spans would be exported in turn, one more export for each.
        InstrumentationUtil.suppressInstrumentation(() -> enqueue(request, retries, onResponse, onError));
    }

    private void enqueue(Request request, GrpcRetries retries, Consumer<GrpcResponse> onResponse,
                         Consumer<Throwable> onError) {
        Call call = client.newCall(request);
        if (retries.remainingNanos() > 0) {
            call.timeout().timeout(retries.remainingNanos(), TimeUnit.NANOSECONDS);
        }
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                if (retries.again(e, () -> ExportFailures.describe(e))) {
                    attempt(request, retries, onResponse, onError);
                } else {
                    onError.accept(e);
                }
            }

            @Override
            public void onResponse(Call answered, Response response) {
                GrpcAnswer answer;
                try (response) {
                    answer = GrpcAnswer.read(response, maxResponseBodySize);
                } catch (IOException e) {
                    onFailure(answered, e);
                    return;
                }
                if (retries.again(answer.status(), () -> ExportFailures.grpcStatus(answer))) {
                    attempt(request, retries, onResponse, onError);
                } else {
                    onResponse.accept(answer);
                }
            }
        });
    }

    @Override
    public CompletableResultCode shutdown() {
        client.dispatcher().cancelAll();
        client.connectionPool().evictAll();
        if (ownThreads != null) {
            ownThreads.shutdownNow();
        }
        return CompletableResultCode.ofSuccess();
    }

    /** The sockets the sender's connections are made on. */
    SocketFactory sockets() {
        return client.socketFactory();
    }

    /** OkHttp's own dispatcher's pool, with daemon threads, as the SDK's: an unstopped SDK holds no JVM open. */
    private static ExecutorService daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "otlp-grpc-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** OkHttp takes at most Integer.MAX_VALUE ms; the SDK's "no timeout" is longer. */
    private static Duration millis(Duration duration) {
        return Duration.ofMillis(Math.min(duration.toMillis(), Integer.MAX_VALUE));
    }

    private static X509TrustManager defaultTrust() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK has no X.509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's default trust manager cannot be made", e);
        }
    }
}
