package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.api.trace.SpanKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Every failed span is reported, at the latest at shutdown, with the cause the exporter gave, redacted. */
class GuardedSpanExporterTest {

    @RegisterExtension
    final LoggedWarnings logged = new LoggedWarnings(GuardedSpanExporter.class);

    private List<String> warnings() {
        return logged.list();
    }

    /**
     * The lines of the exporter {@code description} names, for a test whose exporter's failures come late: an exporter
     * of another test in this JVM may still report on the same logger meanwhile (a late failure, or its shutdown).
     */
    private List<String> warningsOf(String description) {
        return logged.list().stream().filter(line -> line.contains("exporter " + description + " ")).toList();
    }

    /** An exporter whose every export fails with what {@code failure} gives. */
    private static GuardedSpanExporter failing(Supplier<CompletableResultCode> failure) {
        return new GuardedSpanExporter("otlp grpc http://collector:4317", answering(failure), new QueueDropMonitor(2048));
    }

    /** An exporter whose every export answers what {@code answer} gives. */
    private static SpanExporter answering(Supplier<CompletableResultCode> answer) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                return answer.get();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
    }

    static List<SpanData> spans(int count) {
        SpanData span = TestSpanData.builder().setName("process_event").setKind(SpanKind.INTERNAL)
                .setStartEpochNanos(1).setEndEpochNanos(2).setHasEnded(true).setStatus(StatusData.unset()).build();
        return Collections.nCopies(count, span);
    }

    @Test
    void failuresAfterTheRateLimitedWarningAreReportedAtShutdown() {
        GuardedSpanExporter guarded = failing(CompletableResultCode::ofFailure);

        guarded.export(spans(4));
        guarded.export(spans(30));
        guarded.export(spans(36));
        assertThat(warnings()).as("one warning a minute at most").singleElement().asString()
                .contains("could not deliver 4 span(s)").endsWith("(this warning repeats at most every 1m)");

        guarded.shutdown();
        assertThat(warnings()).hasSize(2).last().asString()
                .contains("could not deliver 66 span(s)", "reported at shutdown", "otlp grpc http://collector:4317");
        assertThat(guarded.failedSpans()).isEqualTo(70);

        // An export still failing after shutdown (the batch processor's last one) is reported at once.
        guarded.export(spans(5));
        assertThat(warnings()).hasSize(3).last().asString().contains("could not deliver 5 span(s)");
        guarded.shutdown();
        assertThat(warnings()).as("nothing pending: no empty report").hasSize(3);
    }

    @Test
    void theWarningNamesTheBackendsHttpStatus() {
        HttpResponse unauthorized = new HttpResponse() {
            @Override
            public int getStatusCode() {
                return 401;
            }

            @Override
            public String getStatusMessage() {
                return "Unauthorized";
            }

            @Override
            public byte[] getResponseBody() {
                return new byte[0];
            }
        };
        failing(() -> CompletableResultCode.ofExceptionalFailure(FailedExportException.httpFailedWithResponse(unauthorized)))
                .export(spans(1));
        assertThat(warnings()).singleElement().asString().contains("(last failure: HTTP 401 Unauthorized)");
    }

    @Test
    void aCauseThatNamesAUrlIsRedacted() {
        failing(() -> CompletableResultCode.ofExceptionalFailure(new IOException(
                "Server returned HTTP response code: 500 for URL: http://u:pa55@zipkin:9411/api/v2/spans?key=K3Y")))
                .export(spans(1));
        assertThat(warnings()).singleElement().asString()
                .contains("(last failure: HTTP 500 for http://zipkin:9411/api/v2/spans)")
                .doesNotContain("pa55").doesNotContain("K3Y");
    }

    @Test
    void theFirstExportThatSucceedsAfterFailuresSaysExportResumedAndWhatTheOutageDropped() {
        List<CompletableResultCode> answers = new java.util.ArrayList<>(List.of(CompletableResultCode.ofExceptionalFailure(
                        new java.net.ConnectException("Failed to connect to /10.0.0.5:4317")),
                CompletableResultCode.ofFailure(), CompletableResultCode.ofSuccess(), CompletableResultCode.ofSuccess()));
        GuardedSpanExporter guarded = failing(() -> answers.removeFirst());

        guarded.export(spans(4));
        guarded.export(spans(30));
        assertThat(guarded.inTrouble()).as("the last export failed").isTrue();
        guarded.export(spans(2));

        assertThat(warnings()).hasSize(2).last().asString().contains("otlp grpc http://collector:4317 delivers again:"
                        + " export resumed after", "which dropped 34 span(s) (30 of them since the last warning)")
                // In the product's words for a duration (3ms, 42s, 2m 16s), not whole seconds ("1 s").
                .containsPattern("export resumed after [0-9]+(ms|s) of failed exports").contains(
                "(last failure: ConnectException: Failed to connect to /10.0.0.5:4317)", "events were not affected");
        assertThat(guarded.inTrouble()).isFalse();
        guarded.export(spans(2));
        guarded.shutdown();
        assertThat(warnings()).as("no second resume, nothing left to report at shutdown").hasSize(2);
    }

    @Test
    void anOtlpExportThatWillBeRetriedSaysSoAtOnceAndNotOnlyWhenItsRetriesRunOut() throws Exception {
        String endpoint;
        try (ServerSocket closed = new ServerSocket(0)) {
            endpoint = "http://127.0.0.1:" + closed.getLocalPort();
        }
        // The real exporter, on the sender the SDK is given (the JDK's HttpClient), retrying a refused connection as
        // it does by default; within 2 s, so the test is short.
        SpanExporter otlp = OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces")
                .setComponentLoader(SpanExporters.components(System.out)).setTimeout(Duration.ofSeconds(2)).build();
        List<Integer> warningsWhenTheExporterGaveUp = new CopyOnWriteArrayList<>();
        String description = "otlp http/protobuf " + endpoint;
        GuardedSpanExporter guarded = new GuardedSpanExporter(description,
                willRetry -> noting(FailedAttempts.watched(otlp, true, willRetry),
                        () -> warningsWhenTheExporterGaveUp.add(warningsOf(description).size())),
                new QueueDropMonitor(2048));

        guarded.export(spans(3)).join(60, TimeUnit.SECONDS);

        assertThat(warningsWhenTheExporterGaveUp).as("lines logged before the exporter gave the batch up")
                .containsExactly(1);
        assertThat(warningsOf(description)).hasSize(2);
        assertThat(warningsOf(description).getFirst()).contains("exporter " + description + " failed to send spans"
                + " (ConnectException: ", "and retries them", "events are not affected", "repeats at most every 1m")
                .containsIgnoringCase("connection refused");
        assertThat(warningsOf(description).getLast()).contains("could not deliver 3 span(s)");
        guarded.shutdown();
    }

    @Test
    void aRetryThatWentThroughSaysSoAndRetriesAddNoMoreLinesWithinTheMinute() {
        List<CompletableResultCode> answers = new java.util.ArrayList<>(List.of(CompletableResultCode.ofSuccess(),
                CompletableResultCode.ofSuccess(), CompletableResultCode.ofFailure(), CompletableResultCode.ofFailure()));
        GuardedSpanExporter guarded = new GuardedSpanExporter("otlp grpc http://collector:4317", willRetry -> answering(() -> {
                    willRetry.accept("ConnectException: Failed to connect to /10.0.0.5:4317");
                    return answers.removeFirst();
                }), new QueueDropMonitor(2048));

        guarded.export(spans(2));
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().getFirst()).contains("failed to send spans (ConnectException: Failed to connect to"
                + " /10.0.0.5:4317) and retries them");
        assertThat(warnings().getLast()).isEqualTo("tracing: exporter otlp grpc http://collector:4317 delivers again:"
                + " a retry went through, and no span was dropped");
        guarded.export(spans(2));
        assertThat(warnings()).as("once a minute at most").hasSize(2);
        guarded.export(spans(2));
        guarded.export(spans(2));
        assertThat(warnings()).as("exports fail: their own warning, nothing more").hasSize(3).last().asString()
                .contains("could not deliver 2 span(s)");
    }

    @Test
    void aBrokenPipeOfAnExporterToATlsCollectorWithNoClientCertificateNamesTheVariablesThatMayFixIt() {
        // What OtelSdk gives an OTLP exporter to an https:// endpoint with no client key: the retry line and the
        // line that the batch was dropped both say what a mutual-TLS collector's refusal looks like here.
        GuardedSpanExporter guarded = new GuardedSpanExporter("otlp http/protobuf https://collector:4318/v1/traces",
                willRetry -> answering(() -> {
                    willRetry.accept("SocketException: Broken pipe");
                    return CompletableResultCode.ofExceptionalFailure(new java.net.SocketException("Broken pipe"));
                }), new QueueDropMonitor(2048), OtlpTlsFailure::closedWithoutClientCertificate);

        guarded.export(spans(2));
        assertThat(warnings()).hasSize(2).allSatisfy(line -> assertThat(line)
                .contains("Broken pipe; a TLS collector that wants a client certificate", "OTEL_EXPORTER_OTLP_CLIENT_KEY"));
        assertThat(warnings().getLast()).contains("could not deliver 2 span(s)");
    }

    /** The exporter, with {@code gaveUp} run as its export completes: before the guard hears of it. */
    static SpanExporter noting(SpanExporter exporter, Runnable gaveUp) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                CompletableResultCode result = exporter.export(spans);
                result.whenComplete(gaveUp);
                return result;
            }

            @Override
            public CompletableResultCode flush() {
                return exporter.flush();
            }

            @Override
            public CompletableResultCode shutdown() {
                return exporter.shutdown();
            }
        };
    }

    @Test
    void anOutageLastsAsTheOtherLinesSayDurations() {
        assertThat(GuardedSpanExporter.measured(Duration.ofNanos(3_400_000))).isEqualTo("3ms");
        assertThat(GuardedSpanExporter.measured(Duration.ofMillis(42_317))).isEqualTo("42s");
        assertThat(GuardedSpanExporter.measured(Duration.ofSeconds(136))).isEqualTo("2m 16s");
        assertThat(GuardedSpanExporter.measured(Duration.ofHours(36))).isEqualTo("1d 12h");
    }

    @Test
    void aBackEndThatTookTheConnectionAndNeverAnsweredIsNamedAsSuch() {
        failing(() -> CompletableResultCode.ofExceptionalFailure(FailedExportException.grpcFailedExceptionally(
                new java.io.InterruptedIOException("timeout")))).export(spans(1));
        failing(() -> CompletableResultCode.ofExceptionalFailure(new java.net.SocketTimeoutException("Connect timed out")))
                .export(spans(1));
        assertThat(warnings()).hasSize(2);
        assertThat(warnings().getFirst()).contains("(last failure: no answer within the timeout: the back-end took the"
                + " connection but did not answer, as a hung collector or a load balancer with no healthy target does"
                + " (InterruptedIOException: timeout))");
        assertThat(warnings().getLast()).contains("no connection within the timeout: the back-end's address takes no"
                + " connections, or a firewall drops them (SocketTimeoutException: Connect timed out)");
    }
}
