package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.exporter.internal.FailedExportException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDK's HttpClient's failures (the OTLP/HTTP sender) in words as plain as OkHttp's were: its exceptions often
 * carry no message, or one of their own.
 */
class ExportFailuresTest {

    /** A connect failure as the JDK's HttpClient throws it again on the caller's thread, around the one it had. */
    private static ConnectException rethrown(Throwable cause) {
        ConnectException failure = new ConnectException();
        failure.initCause(cause);
        return failure;
    }

    @Test
    void anHttp2ConnectionClosedUnderTheGrpcSenderIsSaidInWords() {
        // OkHttp's exception has no message: the class name alone told the reader nothing of what happened.
        assertThat(ExportFailures.describe(FailedExportException.grpcFailedExceptionally(
                new okhttp3.internal.http2.ConnectionShutdownException())))
                .isEqualTo("ConnectionShutdownException: the collector closed the connection before the export could"
                        + " be sent");
        assertThat(OtlpTlsFailure.closedWithoutClientCertificate(ExportFailures.describe(
                new okhttp3.internal.http2.ConnectionShutdownException()))).contains("OTEL_EXPORTER_OTLP_CLIENT_KEY");
    }

    @Test
    void aRefusedConnectionIsSaidSoThoughTheHttpClientGaveNoWords() {
        // What it throws on Linux for a port nothing listens on: three exceptions, not one message among them.
        Throwable refused = rethrown(rethrown(new ClosedChannelException()));
        assertThat(ExportFailures.describe(FailedExportException.httpFailedExceptionally(refused)))
                .isEqualTo("ConnectException: connection refused, or the address cannot be reached");
    }

    @Test
    void aFailureWithoutWordsIsSaidWithItsCausesWords() {
        assertThat(ExportFailures.describe(rethrown(new ConnectException("Connection refused"))))
                .isEqualTo("ConnectException: Connection refused");
    }

    @Test
    void theHttpClientsTimeoutsTellAHungBackEndFromOneThatTakesNoConnections() {
        assertThat(ExportFailures.describe(FailedExportException.httpFailedExceptionally(
                new HttpTimeoutException("request timed out"))))
                .isEqualTo("no answer within the timeout: the back-end took the connection but did not answer, as a"
                        + " hung collector or a load balancer with no healthy target does (HttpTimeoutException:"
                        + " request timed out)");
        assertThat(ExportFailures.describe(new HttpConnectTimeoutException("HTTP connect timed out")))
                .startsWith("no connection within the timeout: the back-end's address takes no connections");
    }
}
