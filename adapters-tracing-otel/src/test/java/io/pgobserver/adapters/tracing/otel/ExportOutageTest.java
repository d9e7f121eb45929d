package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** How long the line saying export resumed says the outage lasted, on a clock the test gives. */
class ExportOutageTest {

    private static long second(long n) {
        return Duration.ofSeconds(n).toNanos();
    }

    @Test
    void anOutageBeginsAtTheFirstFailedAttemptOfTheExportThatFailedNotWhenItsRetriesRanOut() {
        ExportOutage outage = new ExportOutage();
        outage.sent(0);
        outage.attemptFailed(second(1)); // the collector went away
        outage.attemptFailed(second(3)); // a retry
        outage.failed(8, second(9)); // the retries ran out
        outage.sent(second(9));
        outage.attemptFailed(second(10));
        outage.failed(4, second(19));

        assertThat(outage.succeeded(second(25))).isEqualTo(new ExportOutage.Ended(Duration.ofSeconds(24), 12));
    }

    @Test
    void aRetryThatWentThroughBeginsNoOutage() {
        ExportOutage outage = new ExportOutage();
        outage.attemptFailed(second(1));
        assertThat(outage.succeeded(second(2))).isNull();

        outage.failed(3, second(30)); // not retried: the outage begins with the failed export
        assertThat(outage.succeeded(second(31))).isEqualTo(new ExportOutage.Ended(Duration.ofSeconds(1), 3));
    }
}
