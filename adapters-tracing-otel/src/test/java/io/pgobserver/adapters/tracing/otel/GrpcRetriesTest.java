package io.pgobserver.adapters.tracing.otel;

import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One export's attempts, on a clock the waits move: no test waits. */
class GrpcRetriesTest {

    private static final RetryPolicy POLICY = RetryPolicy.builder().setMaxAttempts(4)
            .setInitialBackoff(Duration.ofSeconds(1)).setMaxBackoff(Duration.ofMillis(1500)).setBackoffMultiplier(2)
            .build();
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private long now;
    private final List<Long> waits = new ArrayList<>();
    /** What the exporter was told of each retry, and each wait, in the order they happened. */
    private final List<String> told = new ArrayList<>();

    private GrpcRetries retries(RetryPolicy policy, Duration timeout, double jitter) {
        return new GrpcRetries(policy, timeout, () -> now, nanos -> {
            waits.add(nanos);
            told.add("waited " + nanos);
            now += nanos;
        }, () -> jitter, told::add);
    }

    private static boolean again(GrpcRetries retries, GrpcStatusCode status) {
        return retries.again(status, () -> "gRPC status " + status);
    }

    private static boolean again(GrpcRetries retries, IOException failure) {
        return retries.again(failure, failure::getMessage);
    }

    @Test
    void backoffGrowsByTheMultiplierUpToTheMostAndStopsAtTheMostAttempts() {
        GrpcRetries retries = retries(POLICY, MINUTE, 1.0);
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).isTrue();
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).isTrue();
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).isTrue();
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).as("the fourth attempt was the last").isFalse();
        assertThat(retries.attempts()).isEqualTo(4);
        assertThat(waits).containsExactly(1_000_000_000L, 1_500_000_000L, 1_500_000_000L);
        assertThat(told).as("each retry is told before its wait, so that its warning does not wait on it")
                .startsWith("gRPC status UNAVAILABLE", "waited 1000000000", "gRPC status UNAVAILABLE");
    }

    @Test
    void jitterSpreadsTheBackoff() {
        GrpcRetries retries = retries(POLICY, MINUTE, 0.8);
        again(retries, GrpcStatusCode.UNAVAILABLE);
        again(retries, GrpcStatusCode.UNAVAILABLE);
        assertThat(waits).containsExactly(800_000_000L, 1_200_000_000L);
    }

    @Test
    void noAttemptStartsAfterTheExportsTimeoutAndEachGetsWhatIsLeftOfIt() {
        GrpcRetries retries = retries(POLICY, Duration.ofMillis(2200), 1.0);
        assertThat(retries.remainingNanos()).isEqualTo(2_200_000_000L);
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).isTrue();
        assertThat(retries.remainingNanos()).isEqualTo(1_200_000_000L);
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).as("the wait ends with the timeout").isFalse();
        assertThat(waits).containsExactly(1_000_000_000L, 1_200_000_000L);
    }

    @ParameterizedTest
    @EnumSource(value = GrpcStatusCode.class, names = {"CANCELLED", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED",
            "ABORTED", "OUT_OF_RANGE", "UNAVAILABLE", "DATA_LOSS"}, mode = EnumSource.Mode.EXCLUDE)
    void otherStatusesAreTheAnswer(GrpcStatusCode status) {
        assertThat(again(retries(POLICY, MINUTE, 1.0), status)).isFalse();
        assertThat(waits).isEmpty();
        assertThat(told).isEmpty();
    }

    @Test
    void failuresThatTheSdksSendersRetryAreRetriedUnlessThePolicyNamesItsOwn() {
        GrpcRetries retries = retries(POLICY, MINUTE, 1.0);
        assertThat(again(retries, new ConnectException("Failed to connect"))).isTrue();
        assertThat(again(retries, new SocketTimeoutException("timeout"))).isTrue();
        assertThat(again(retries, new UnknownHostException("collector"))).isTrue();
        assertThat(told).containsSubsequence("Failed to connect", "timeout", "collector");
        assertThat(again(retries(POLICY, MINUTE, 1.0), new InterruptedIOException("timeout")))
                .as("the call's own timeout").isFalse();
        RetryPolicy everything = POLICY.toBuilder().setRetryExceptionPredicate(e -> true).build();
        assertThat(again(retries(everything, MINUTE, 1.0), new IOException("stream reset"))).isTrue();
        RetryPolicy nothing = POLICY.toBuilder().setRetryExceptionPredicate(e -> false).build();
        assertThat(again(retries(nothing, MINUTE, 1.0), new ConnectException("refused"))).isFalse();
    }

    @Test
    void withoutAPolicyOneAttemptIsAll() {
        GrpcRetries retries = retries(null, MINUTE, 1.0);
        assertThat(again(retries, GrpcStatusCode.UNAVAILABLE)).isFalse();
        assertThat(again(retries, new ConnectException("refused"))).isFalse();
        assertThat(waits).isEmpty();
    }
}
