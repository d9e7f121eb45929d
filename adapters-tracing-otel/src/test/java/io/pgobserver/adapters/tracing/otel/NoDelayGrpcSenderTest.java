package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.internal.SenderUtil;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class NoDelayGrpcSenderTest {

    /** The sender the SDK gets for OTLP over gRPC, for an exporter of these settings. */
    static GrpcSender sender(String endpoint) {
        return SenderUtil.resolveGrpcSenderProvider(SpanExporters.components(System.out)).createSender(
                new GrpcSenderConfig() {
                    @Override
                    public URI getEndpoint() {
                        return URI.create(endpoint);
                    }

                    @Override
                    public String getFullMethodName() {
                        return "opentelemetry.proto.collector.trace.v1.TraceService/Export";
                    }

                    @Override
                    public Compressor getCompressor() {
                        return null;
                    }

                    @Override
                    public Duration getTimeout() {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public Duration getConnectTimeout() {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public Supplier<Map<String, List<String>>> getHeadersSupplier() {
                        return Map::of;
                    }

                    @Override
                    public RetryPolicy getRetryPolicy() {
                        return RetryPolicy.getDefault();
                    }

                    @Override
                    public SSLContext getSslContext() {
                        return null;
                    }

                    @Override
                    public X509TrustManager getTrustManager() {
                        return null;
                    }

                    @Override
                    public ExecutorService getExecutorService() {
                        return null;
                    }
                });
    }

    @Test
    void exportsGoOutWithNaglesAlgorithmOffSoThatAnExportOfSeveralWritesDoesNotWaitOnADelayedAck() throws Exception {
        GrpcSender sender = sender("http://127.0.0.1:4317");
        SocketFactory sockets = ((NoDelayGrpcSender) sender).sockets();
        try (ServerSocket collector = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket unconnected = sockets.createSocket();
             Socket connected = sockets.createSocket(collector.getInetAddress(), collector.getLocalPort())) {
            assertThat(unconnected.getTcpNoDelay()).as("the socket OkHttp connects itself").isTrue();
            assertThat(connected.getTcpNoDelay()).isTrue();
        } finally {
            sender.shutdown();
        }
    }

    @ParameterizedTest
    @CsvSource({"400, INTERNAL", "401, UNAUTHENTICATED", "403, PERMISSION_DENIED", "404, UNIMPLEMENTED",
            "429, UNAVAILABLE", "502, UNAVAILABLE", "503, UNAVAILABLE", "504, UNAVAILABLE", "500, UNKNOWN",
            "302, UNKNOWN"})
    void anHttpStatusWithoutAGrpcOneIsReadAsTheGrpcSpecSays(int http, GrpcStatusCode grpc) {
        assertThat(GrpcAnswer.fromHttp(http)).isEqualTo(grpc);
    }

    @Test
    void grpcMessageIsPercentDecodedUtf8() {
        assertThat(GrpcAnswer.unescape("span rejected")).isEqualTo("span rejected");
        assertThat(GrpcAnswer.unescape("100%25 full: %C3%BCber%0Aall")).isEqualTo("100% full: über\nall");
        assertThat(GrpcAnswer.unescape("50% off, %zz, %4")).as("a % without two hex digits stands for itself")
                .isEqualTo("50% off, %zz, %4");
        assertThat(GrpcAnswer.unescape(null)).isNull();
    }
}
