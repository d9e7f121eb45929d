package io.pgobserver.application;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The stream's wait on retried events, head after head, as the checks sample it (times in seconds). */
class WaitOnRetriesTest {

    private static final long S = 1_000_000_000L;
    private final WaitOnRetries wait = new WaitOnRetries(Duration.ofSeconds(2));

    private static OldestUnfinished head(boolean onRetries, long retriesThrough) {
        return new OldestUnfinished("e", 1, Duration.ZERO, onRetries, onRetries, retriesThrough, false);
    }

    @Test
    void headAfterHeadOnRetriesTheWaitGoesOnAcrossAMomentOffThem() {
        assertThat(wait.at(head(true, 0), 10 * S)).isEqualTo(Duration.ZERO);
        // The head before was parked; the next one runs its first attempt: off retries for one check only.
        assertThat(wait.at(head(false, 0), 11 * S)).isEqualTo(Duration.ofSeconds(1));
        assertThat(wait.at(head(true, 0), 12 * S)).isEqualTo(Duration.ofSeconds(2));
        assertThat(wait.at(head(false, 0), 13 * S)).isEqualTo(Duration.ofSeconds(3));
        assertThat(wait.at(head(false, 0), 14 * S)).as("off retries 1 s of the 2 that end it")
                .isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void offRetriesAtEveryCheckForTheQuietTimeTheWaitEnds() {
        wait.at(head(true, 0), 10 * S);
        wait.at(head(false, 0), 11 * S);
        assertThat(wait.at(head(false, 0), 13 * S)).isEqualTo(Duration.ZERO);
        assertThat(wait.at(head(true, 0), 14 * S)).as("a new wait").isEqualTo(Duration.ZERO);
        assertThat(wait.at(head(true, 0), 15 * S)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aRetryThatGotThroughEndsTheWait() {
        wait.at(head(true, 0), 10 * S);
        assertThat(wait.at(head(true, 0), 20 * S)).isEqualTo(Duration.ofSeconds(10));
        assertThat(wait.at(head(true, 1), 21 * S)).isEqualTo(Duration.ZERO);
        assertThat(wait.at(head(true, 1), 22 * S)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void nothingPendingEndsTheWait() {
        wait.at(head(true, 0), 10 * S);
        assertThat(wait.at(null, 20 * S)).isEqualTo(Duration.ZERO);
        assertThat(wait.at(head(true, 0), 21 * S)).isEqualTo(Duration.ZERO);
    }
}
