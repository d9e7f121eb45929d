package io.pgobserver.adapters.tracing.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the SDK counts of its own work. The batch processor's counters always reach the meter provider (the
 * queue-drop warning reads them); the tracer provider's per-span counters only when metrics are exported, since
 * they cost every span three counter updates on the event's thread and nothing could read them otherwise.
 */
class SdkSelfTelemetryTest {

    private static final String SPANS_STARTED = "otel.sdk.span.started";
    private static final String SPANS_PROCESSED = QueueDropMonitor.PROCESSED;

    private static Set<String> metricNamesAfterTraces(MetricsSettings metrics) throws IOException {
        // A backend that takes every export, so the batch processor counts what it exported.
        HttpServer backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        backend.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        backend.start();
        ExportSettings settings = new ExportSettings("pg-observer-test", "otlp",
                "http://127.0.0.1:" + backend.getAddress().getPort(), "http/protobuf", 1.0,
                new ExportSettings.Batch(2048, 512, Duration.ofMillis(50)), null, null, false, null, true);
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, settings, metrics, new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (int i = 0; i < 20; i++) {
                SampleTrace.run(sdk.tracer(), TraceContext.NONE);
            }
            sdk.tracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
            Set<String> names = new TreeSet<>();
            for (MetricData metric : sdk.queueDrops().registration().collectAllMetrics()) {
                names.add(metric.getName());
            }
            return names;
        } finally {
            sdk.stop();
            backend.stop(0);
        }
    }

    @Test
    void withMetricsOffTheBatchProcessorIsCountedButNotEverySpan() throws IOException {
        Set<String> names = metricNamesAfterTraces(TestSettings.NO_METRICS);

        assertThat(names).contains(SPANS_PROCESSED).doesNotContain(SPANS_STARTED);
    }

    @Test
    void withMetricsOnTheSdksSpanCountersAreKeptForTheScrape() throws IOException {
        Set<String> names = metricNamesAfterTraces(new MetricsSettings(true, 0, "prometheus", "127.0.0.1"));

        assertThat(names).contains(SPANS_PROCESSED, SPANS_STARTED);
    }
}
