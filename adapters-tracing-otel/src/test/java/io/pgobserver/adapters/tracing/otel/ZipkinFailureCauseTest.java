package io.pgobserver.adapters.tracing.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A Zipkin export to a wrong path fails with a cause the warning can name: HTTP 404 and the (redacted) URL. */
class ZipkinFailureCauseTest {

    private HttpServer zipkin;
    private volatile int status = 404;

    @BeforeEach
    void start() throws IOException {
        // Answers 404 to every path, as Zipkin does for one that is not /api/v2/spans.
        zipkin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        zipkin.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        zipkin.start();
    }

    @AfterEach
    void stop() {
        zipkin.stop(0);
    }

    @Test
    void aWrongPathFailsWithHttp404AsTheCause() {
        CompletableResultCode result = exportTo("http://user:pw@127.0.0.1:" + zipkin.getAddress().getPort()
                + "/wrong/path");

        assertThat(result.isSuccess()).isFalse();
        assertThat(result.getFailureThrowable()).isInstanceOf(FileNotFoundException.class);
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .startsWith("HTTP 404 Not Found for http://127.0.0.1:").contains("/wrong/path").doesNotContain("pw");
    }

    @Test
    void anotherErrorStatusIsNamedAsAnHttpStatusNotAsAJavaException() {
        // HttpURLConnection reports it as "IOException: Server returned HTTP response code: 500 for URL: …".
        status = 500;
        CompletableResultCode result = exportTo("http://user:pw@127.0.0.1:" + zipkin.getAddress().getPort()
                + "/api/v2/spans");

        assertThat(result.isSuccess()).isFalse();
        assertThat(ExportFailures.describe(result.getFailureThrowable()))
                .startsWith("HTTP 500 for http://127.0.0.1:").endsWith("/api/v2/spans").doesNotContain("pw");
    }

    @Test
    void anUnauthorizedAnswerIsNamedAsOne() {
        // HttpURLConnection reports it as "HttpRetryException: cannot retry due to server authentication, in
        // streaming mode", which names neither the status nor credentials.
        status = 401;
        CompletableResultCode result = exportTo("http://127.0.0.1:" + zipkin.getAddress().getPort() + "/api/v2/spans");

        assertThat(result.isSuccess()).isFalse();
        assertThat(ExportFailures.describe(result.getFailureThrowable())).isEqualTo(
                "HTTP 401 Unauthorized: the back-end wants credentials it was not given, or refused them");
    }

    private static CompletableResultCode exportTo(String endpoint) {
        SpanExporter exporter = SpanExporters.zipkin(endpoint, Duration.ofSeconds(5));
        SpanData span = TestSpanData.builder().setName("process_event").setKind(SpanKind.INTERNAL)
                .setSpanContext(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
                        TraceFlags.getSampled(), TraceState.getDefault()))
                .setStartEpochNanos(1).setEndEpochNanos(2).setHasEnded(true).setStatus(StatusData.unset()).build();
        CompletableResultCode result = exporter.export(List.of(span)).join(10, TimeUnit.SECONDS);
        exporter.shutdown();
        return result;
    }
}
