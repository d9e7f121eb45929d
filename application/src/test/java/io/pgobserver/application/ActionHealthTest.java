package io.pgobserver.application;

import io.pgobserver.domain.testing.TestAction;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness from action attempts, on a clock the test moves: failing for a while, cleared by success or by quiet. */
class ActionHealthTest {

    private static final Duration THRESHOLD = Duration.ofSeconds(10);
    private static final TestAction WEBHOOK = new TestAction("webhook", "https://hooks.example.com/orders");
    private static final TestAction KAFKA = new TestAction("kafka", "orders");

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ActionHealth health = new ActionHealth(THRESHOLD, now::get);

    private void after(Duration elapsed) {
        now.addAndGet(elapsed.toNanos());
    }

    @Test
    void attemptsThatKeepFailingForTheThresholdMakeItUnreadyWithTheLastError() {
        health.failed(WEBHOOK, "HTTP 503", Duration.ofSeconds(2));
        after(Duration.ofSeconds(2));
        health.failed(WEBHOOK, "HTTP 502", Duration.ofSeconds(4));
        assertThat(health.problem()).as("failing for 2 s only").isNull();

        after(Duration.ofSeconds(8));

        assertThat(health.problem()).startsWith("every webhook action has failed for 10s")
                .contains("last error: webhook https://hooks.example.com/orders: HTTP 502)");
    }

    @Test
    void theReasonNamesWhereItFailsWhatToCheckAndThatNothingIsLost() {
        String error = "webhook https://hooks.example.com/orders: HTTP 503"; // as the webhook executor words it
        health.failed(WEBHOOK, error, Duration.ofSeconds(30));
        for (int attempt = 2; attempt <= 6; attempt++) {
            after(Duration.ofSeconds(25));
            health.failed(WEBHOOK, error, Duration.ofSeconds(30));
        }

        // What /health/ready answers, as docs/troubleshooting.md quotes it: an operator paged for the 503 reads
        // where it fails, what to do, and that waiting costs no event. Before, it named neither the receiver nor
        // the fix: "every webhook action has failed for 125 s (last error: HTTP 503); its events wait and are
        // retried, up to each observer's retry.max_attempts".
        assertThat(health.problem()).isEqualTo("every webhook action has failed for 2m 5s (last error: webhook "
                + "https://hooks.example.com/orders: HTTP 503): check that receiver; its events wait and are retried "
                + "up to each observer's retry.max_attempts, then go to the dead letters ('pg-observer dlq replay "
                + "--all' once it answers): none are lost");
    }

    @Test
    void anErrorThatDoesNotSayWhereTheAttemptWentIsToldIt() {
        health.failed(KAFKA, "broker down", Duration.ofSeconds(60));
        after(Duration.ofSeconds(15));
        assertThat(health.problem()).contains("(last error: kafka orders: broker down): check that receiver;");
    }

    @Test
    void oneSuccessOfTheTypeClearsIt() {
        health.failed(WEBHOOK, "HTTP 503", Duration.ofSeconds(30));
        after(Duration.ofSeconds(15));
        assertThat(health.problem()).isNotNull();

        health.succeeded("webhook");

        assertThat(health.problem()).isNull();
    }

    @Test
    void afterTheFailingEventsGaveUpAndNothingElseCameItIsReadyAgain() {
        // Three quick attempts, then the event is dead-lettered: no attempt of the type is due any more.
        health.failed(WEBHOOK, "HTTP 503", Duration.ofMillis(100));
        after(Duration.ofMillis(100));
        health.failed(WEBHOOK, "HTTP 503", Duration.ofMillis(200));
        after(Duration.ofMillis(200));
        health.failed(WEBHOOK, "HTTP 503", Duration.ZERO);

        after(Duration.ofSeconds(9));
        assertThat(health.problem()).as("not failing for 10 s yet").isNull();
        after(Duration.ofSeconds(2));
        assertThat(health.problem()).as("quiet for longer than the threshold: the failures say nothing about now")
                .isNull();
    }

    @Test
    void aRetryDueLaterThanTheThresholdKeepsItUnreadyUntilThatAttemptIsOverdue() {
        health.failed(KAFKA, "broker down", Duration.ofSeconds(60));

        after(Duration.ofSeconds(45));
        assertThat(health.problem()).as("an event still waits for its next attempt").contains("every kafka action");

        after(Duration.ofSeconds(26));
        assertThat(health.problem()).as("the attempt due at 60 s never came").isNull();
    }

    @Test
    void aFailureAfterQuietStartsAFreshSpellInsteadOfContinuingTheOldOne() {
        health.failed(WEBHOOK, "HTTP 503", Duration.ZERO);
        after(Duration.ofMinutes(5));

        health.failed(WEBHOOK, "HTTP 503", Duration.ofSeconds(1));

        assertThat(health.problem()).as("one failure just now is not five minutes of failing").isNull();
    }

    @Test
    void aGivingUpEventDoesNotShortenTheWaitOfAnotherOnesPendingRetry() {
        health.failed(WEBHOOK, "HTTP 503", Duration.ofSeconds(60));
        health.failed(WEBHOOK, "HTTP 503", Duration.ZERO);

        after(Duration.ofSeconds(30));

        assertThat(health.problem()).isNotNull();
    }
}
