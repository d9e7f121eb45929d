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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * This run's exporter's warnings: an export of the previous run that fails after its shutdown is reported at
     * once, possibly while this one runs.
     */
    private List<String> exporterWarnings(String endpoint) {
        return warnings(GuardedSpanExporter.class).stream().filter(w -> w.contains(endpoint)).toList();
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
                new ExportSettings.Batch(16, 8, Duration.ofMillis(50)), null, null, false, null, true);
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
            return exporterWarnings(endpoint).stream().anyMatch(w -> w.contains("could not deliver"))
                    && !warnings(QueueDropMonitor.class).isEmpty();
        })).as("warnings so far: %s", logs.list).isTrue();

        assertThat(exporterWarnings(endpoint)).filteredOn(w -> w.contains("could not deliver")).first().asString()
                .contains("tracing: exporter " + exporter).contains(endpoint).contains("were dropped")
                .contains("events were not affected");
        assertThat(warnings(QueueDropMonitor.class)).first().asString()
                .contains("the span queue was full (tracing.batch.max_queue_size=16)");
        assertThat(sdk.queueDrops().dropped()).isGreaterThan(0);

        assertTimeoutPreemptively(Duration.ofSeconds(60), sdk::stop);
        // Batches failed and spans were dropped, yet each warning came at most once a minute. (Zipkin fails hundreds of
        // batches here; an OTLP exporter retries each for seconds, and its failing back-end gets 3 s at the stop, so
        // one batch may be all that failed.)
        assertThat(sdk.exports()).singleElement().satisfies(export -> assertThat(export.guarded().failedSpans())
                .isGreaterThanOrEqualTo(settings.batch().maxExportBatchSize()));
        // Plus one last warning each at shutdown for what the last minute's were too early to count. An OTLP exporter
        // also said at its first failed attempt that it retries, once: exports failed from then on.
        int minutes = 1 + (int) Duration.ofNanos(System.nanoTime() - started).toMinutes();
        assertThat(exporterWarnings(endpoint)).filteredOn(w -> w.contains("could not deliver"))
                .hasSizeBetween(1, minutes + 1);
        assertThat(exporterWarnings(endpoint)).filteredOn(w -> w.contains("and retries them"))
                .hasSize(exporter.equals("otlp") ? 1 : 0);
        assertThat(warnings(QueueDropMonitor.class)).hasSizeBetween(1, minutes + 1);
        // Together the warnings report every span lost, not only those of the first one (an export the shutdown cut
        // short may fail a moment later, and is then reported at once).
        GuardedSpanExporter guarded = sdk.exports().getFirst().guarded();
        assertThat(SampleTrace.await(Duration.ofSeconds(30), () ->
                reported(exporterWarnings(endpoint), "could not deliver (\\d+) span") == guarded.failedSpans()))
                .as("reported %s, failed %s", exporterWarnings(endpoint), guarded.failedSpans()).isTrue();
        assertThat(reported(warnings(QueueDropMonitor.class), "and (\\d+) span\\(s\\) were dropped"))
                .isEqualTo(sdk.queueDrops().dropped());
    }

    private static long reported(List<String> warnings, String count) {
        Pattern pattern = Pattern.compile(count);
        return warnings.stream().map(pattern::matcher).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
    }
}
