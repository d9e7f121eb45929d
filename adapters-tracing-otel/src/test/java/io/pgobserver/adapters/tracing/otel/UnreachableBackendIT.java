package io.pgobserver.adapters.tracing.otel;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Telemetry never harms delivery: with every exporter pointed at a closed port, span calls
 * return and never throw, failed exports and full-queue drops each give one rate-limited warning, and the
 * shutdown flush gives up in bounded time.
 */
class UnreachableBackendIT {

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<Logger> watched = List.of((Logger) LoggerFactory.getLogger(GuardedSpanExporter.class),
            (Logger) LoggerFactory.getLogger(QueueDropMonitor.class));

    @BeforeEach
    void captureWarnings() {
        logs.start();
        watched.forEach(logger -> logger.addAppender(logs));
    }

    @AfterEach
    void release() {
        watched.forEach(logger -> logger.detachAppender(logs));
    }

    private List<String> warnings(Class<?> source) {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN && e.getLoggerName().equals(source.getName()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @ParameterizedTest
    @CsvSource({"otlp, grpc", "otlp, http/protobuf", "zipkin, grpc"})
    void spansAreDroppedWithOneWarningAndEventsGoOn(String exporter, String protocol) throws Exception {
        String endpoint = "http://127.0.0.1:" + closedPort();
        // A tiny queue, so the burst below overflows it while the exporter fails.
        ExportSettings settings = new ExportSettings("pg-observer-test", exporter, endpoint, protocol, 1.0,
                new ExportSettings.Batch(16, 8, Duration.ofMillis(50)), null, null, false, null);
        OtelSdk sdk = OtelSdk.create(TestSettings.ON, settings, TestSettings.NO_METRICS, System.out);
        long started = System.nanoTime();

        // Generous bound: this guards against blocking forever, it does not measure speed.
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> assertThatCode(() -> {
            for (int i = 0; i < 2_000; i++) {
                SampleTrace.run(sdk.tracer(), i % 2 == 0 ? SampleTrace.writer(true) : TraceContext.NONE);
            }
        }).doesNotThrowAnyException());

        assertThat(SampleTrace.await(Duration.ofSeconds(90), () -> {
            sdk.queueDrops().check();
            return !warnings(GuardedSpanExporter.class).isEmpty() && !warnings(QueueDropMonitor.class).isEmpty();
        })).as("warnings so far: %s", logs.list).isTrue();

        assertThat(warnings(GuardedSpanExporter.class)).first().asString()
                .contains("tracing: exporter " + exporter).contains(endpoint).contains("were dropped")
                .contains("events were not affected");
        assertThat(warnings(QueueDropMonitor.class)).first().asString()
                .contains("the span queue was full (tracing.batch.max_queue_size=16)");
        assertThat(sdk.queueDrops().dropped()).isGreaterThan(0);

        assertTimeoutPreemptively(Duration.ofSeconds(60), sdk::stop);
        // Many batches failed and many spans were dropped, yet each warning came at most once a minute.
        assertThat(sdk.exports()).singleElement().satisfies(export ->
                assertThat(export.guarded().failedSpans()).isGreaterThan(settings.batch().maxExportBatchSize()));
        int minutes = 1 + (int) Duration.ofNanos(System.nanoTime() - started).toMinutes();
        assertThat(warnings(GuardedSpanExporter.class)).hasSizeBetween(1, minutes);
        assertThat(warnings(QueueDropMonitor.class)).hasSizeBetween(1, minutes);
    }
}
