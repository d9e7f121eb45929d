package io.pgobserver.adapters.actions;

import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.Metrics;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpTransportTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void requestsGoOutWithNaglesAlgorithmOffSoThatABodyOfSeveralWritesDoesNotWaitOnADelayedAck() throws Exception {
        HttpTransport transport = new HttpTransport(ActionsSettings.defaults(), Metrics.NOOP);
        try (ServerSocket receiver = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket unconnected = transport.sockets().createSocket();
             Socket connected = transport.sockets().createSocket(receiver.getInetAddress(),
                     receiver.getLocalPort())) {
            assertThat(unconnected.getTcpNoDelay()).as("the socket OkHttp connects itself").isTrue();
            assertThat(connected.getTcpNoDelay()).isTrue();
        } finally {
            transport.stop();
        }
    }

    private static HttpTransport.Exchange exchange(int status, String retryAfter, String body) {
        Headers headers = retryAfter == null ? Headers.of() : Headers.of("Retry-After", retryAfter);
        return new HttpTransport.Exchange(HttpUrl.get("http://h/p"), status, headers, body, null, 3);
    }

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertThat(HttpFailures.retryAfter("2", CLOCK)).isEqualTo(Duration.ofSeconds(2));
        assertThat(HttpFailures.retryAfter(" 120 ", CLOCK)).isEqualTo(Duration.ofMinutes(2));
        assertThat(HttpFailures.retryAfter("Sun, 01 Mar 2026 12:01:30 GMT", CLOCK)).isEqualTo(Duration.ofSeconds(90));
        assertThat(HttpFailures.retryAfter("Sun, 01 Mar 2026 11:00:00 GMT", CLOCK)).isEqualTo(Duration.ZERO);
        assertThat(HttpFailures.retryAfter("soon", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter("-5", CLOCK)).isNull();
        // More seconds than a long holds: a very long wait (retry.max_backoff caps it), not no wait at all.
        assertThat(HttpFailures.retryAfter("99999999999999999999999", CLOCK)).isEqualTo(HttpFailures.VERY_LONG);
        assertThat(HttpFailures.retryAfter("9999999999", CLOCK)).isEqualTo(HttpFailures.VERY_LONG);
        assertThat(HttpFailures.retryAfter("   ", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter("", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter(null, CLOCK)).isNull();
    }

    @Test
    void retryAfterAsServersWriteItNeverAsksForLessThanItSays() {
        // A fraction rounds up: retrying before the time asked is what the header is there to prevent.
        assertThat(HttpFailures.retryAfter("1.5", CLOCK)).isEqualTo(Duration.ofSeconds(2));
        assertThat(HttpFailures.retryAfter("0.001", CLOCK)).isEqualTo(Duration.ofSeconds(1));
        assertThat(HttpFailures.retryAfter("3.0", CLOCK)).isEqualTo(Duration.ofSeconds(3));
        assertThat(HttpFailures.retryAfter("3.", CLOCK)).isEqualTo(Duration.ofSeconds(3));
        assertThat(HttpFailures.retryAfter("+5", CLOCK)).isEqualTo(Duration.ofSeconds(5));
        assertThat(HttpFailures.retryAfter(" +5\t", CLOCK)).isEqualTo(Duration.ofSeconds(5));
        assertThat(HttpFailures.retryAfter("99999999999.5", CLOCK)).isEqualTo(HttpFailures.VERY_LONG);
        // Nothing that asks for a wait: the policy's own backoff applies.
        assertThat(HttpFailures.retryAfter("-1.5", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter("1 5", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter("+ 5", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter(".5", CLOCK)).isNull();
        assertThat(HttpFailures.retryAfter("1e3", CLOCK)).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 409, 425, 429, 500, 502, 503, 504, 599})
    void statusesThatMayPassAreTransient(int status) {
        assertThat(HttpFailures.statusFailure("webhook", exchange(status, null, ""), CLOCK).permanent()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 307, 400, 401, 403, 404, 405, 410, 413, 422, 501, 505})
    void otherStatusesArePermanent(int status) {
        assertThat(HttpFailures.statusFailure("webhook", exchange(status, null, ""), CLOCK).permanent()).isTrue();
    }

    @Test
    void aPermanentStatusSaysItIsNotRetriedAndWhatToFix() {
        assertThat(HttpFailures.statusFailure("w", exchange(401, null, ""), CLOCK).message())
                .isEqualTo("w: HTTP 401 (not retried: the receiver refused the request's credentials; check the "
                        + "action's headers, the credentials in its url and its secret against what the receiver "
                        + "expects)");
        assertThat(HttpFailures.statusFailure("w", exchange(404, null, "nope"), CLOCK).message())
                .isEqualTo("w: HTTP 404 (not retried: the receiver has nothing at this url; correct the action's url)"
                        + ": nope");
        assertThat(HttpFailures.statusFailure("w", exchange(413, null, ""), CLOCK).message())
                .contains("not retried", "larger than the receiver accepts");
        assertThat(HttpFailures.statusFailure("w", exchange(501, null, ""), CLOCK).message())
                .isEqualTo("w: HTTP 501 (not retried: the receiver does not implement this method at this url; "
                        + "correct the action's method or url)");
        assertThat(HttpFailures.statusFailure("w", exchange(505, null, ""), CLOCK).message())
                .contains("not retried", "does not speak the HTTP version");
        assertThat(HttpFailures.statusFailure("w", exchange(409, null, "duplicate"), CLOCK).message())
                .as("a 409 is retried, and says what a receiver answering it for duplicates should do")
                .isEqualTo("w: HTTP 409 (retried: a conflict may clear; a receiver that answers 409 for a "
                        + "webhook-id it has already processed should answer 2xx for it instead): duplicate");
        assertThat(HttpFailures.statusFailure("w", exchange(503, null, ""), CLOCK).message())
                .as("a status that is retried says nothing of the kind").isEqualTo("w: HTTP 503");
        assertThat(SlackErrors.incomingWebhook("slack", exchange(409, null, ""), CLOCK).message())
                .as("Slack is sent no webhook-id: its 409 (a proxy's) says nothing of one").isEqualTo("slack: HTTP 409");
    }

    @Test
    void retryAfterIsReadOn429And503Only() {
        assertThat(HttpFailures.statusFailure("w", exchange(429, "7", ""), CLOCK).retryAfter())
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(HttpFailures.statusFailure("w", exchange(503, "8", ""), CLOCK).retryAfter())
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(HttpFailures.statusFailure("w", exchange(500, "9", ""), CLOCK).retryAfter()).isNull();
    }

    @Test
    void theMessageQuotesTheStartOfTheBodyOnOneLine() {
        String body = "line one\r\n\tline two " + "y".repeat(1000);
        ActionResult.Failure failure = HttpFailures.statusFailure("webhook POST http://h/p", exchange(400, null, body),
                CLOCK);
        assertThat(failure.message()).startsWith("webhook POST http://h/p: HTTP 400 (not retried: the receiver rejected "
                        + "the request's content; see its answer, fix the cause, then replay the dead letter): line one "
                        + "line two yyy")
                .doesNotContain("\n", "\r", "\t").endsWith("...").hasSizeLessThan(450);
    }

    @Test
    void ioFailuresAreTransientExceptCertificatesAndTheAllowList() {
        assertThat(HttpFailures.ioFailure("w", new ConnectException("refused")).permanent()).isFalse();
        ActionResult.Failure timeout = HttpFailures.ioFailure("w", new SocketTimeoutException("timeout"));
        assertThat(timeout.permanent()).isFalse();
        assertThat(timeout.message()).contains("timed out");
        assertThat(HttpFailures.ioFailure("w", new InterruptedIOException("timeout")).message()).contains("timed out");
        assertThat(HttpFailures.ioFailure("w", new SSLHandshakeException("reset")).permanent()).isFalse();
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));
        assertThat(HttpFailures.ioFailure("w", untrusted).permanent()).isTrue();
        ActionResult.Failure wrongName = HttpFailures.ioFailure("w",
                new SSLPeerUnverifiedException("Hostname x not verified"));
        assertThat(wrongName.permanent()).isTrue();
        assertThat(wrongName.message()).contains("connect by a name the certificate names");
        ActionResult.Failure denied = HttpFailures.ioFailure("w",
                new HostAllowList.HostNotAllowedException("evil.example"));
        assertThat(denied.permanent()).isTrue();
        assertThat(denied.message()).contains("'evil.example'", "actions.allowed_hosts");
        assertThat(HttpFailures.ioFailure("w", new IOException("unexpected end of stream")).permanent()).isFalse();
    }

    @Test
    void allowListMatchesExactNamesAndWildcardSubdomains() throws Exception {
        HostAllowList list = new HostAllowList(Set.of("Hooks.Example.com", "*.internal.example"));
        assertThat(list.allows("hooks.example.com")).isTrue();
        assertThat(list.allows("HOOKS.example.COM")).isTrue();
        assertThat(list.allows("a.internal.example")).isTrue();
        assertThat(list.allows("a.b.internal.example")).isTrue();
        assertThat(list.allows("internal.example")).isFalse();
        assertThat(list.allows("example.com")).isFalse();
        assertThat(list.allows("hooks.example.com.evil.net")).isFalse();
        assertThatThrownBy(() -> list.check("evil.net")).isInstanceOf(HostAllowList.HostNotAllowedException.class);
        list.check("hooks.example.com");
        assertThat(new HostAllowList(Set.of()).allows("anything.at.all")).isTrue();
    }
}
