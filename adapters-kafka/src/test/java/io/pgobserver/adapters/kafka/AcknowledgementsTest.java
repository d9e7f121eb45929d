package io.pgobserver.adapters.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness's view of the cluster, on a clock the test moves. */
class AcknowledgementsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Acknowledgements acks = new Acknowledgements(now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void aFailedSendIsNoAcknowledgementAndItsRecordIsStillWantedDuringTheBackoff() {
        acks.sending("d1");
        advance(Duration.ofSeconds(3));
        acks.retrying("d1");
        advance(Duration.ofSeconds(3));

        assertThat(acks.problem("b:9092")).isEqualTo("Kafka at b:9092 has acknowledged no record for 6s (0 sending, "
                + "1 waiting to be retried): check that the cluster is up and reachable from this host "
                + "(kafka.bootstrap_servers); their events wait and are retried up to each observer's "
                + "retry.max_attempts, then go to the dead letters ('pg-observer dlq replay --all' once it answers): "
                + "none are lost");

        acks.sending("d1");
        advance(Duration.ofSeconds(10));
        assertThat(acks.problem("b:9092")).contains("for 16s").contains("1 sending, 0 waiting");
        advance(Duration.ofMinutes(2)); // in minutes and seconds, as ActionHealth says it (before: "136 s")
        assertThat(acks.problem("b:9092")).contains("for 2m 16s (1 sending");
        acks.acknowledged();
        assertThat(acks.problem("b:9092")).isNull();
    }

    @Test
    void aRecordNotSentAgainWithinTheRetryWaitIsNotWantedAnyMore() {
        acks.sending("d1");
        acks.retrying("d1");
        advance(Acknowledgements.RETRY_WAIT.minusSeconds(1));
        assertThat(acks.problem("b:9092")).isNotNull();

        advance(Duration.ofSeconds(1));
        assertThat(acks.problem("b:9092")).as("dead-lettered, most likely").isNull();
    }

    @Test
    void theSilenceCountsFromWhenRecordsBecameWantedAgain() {
        advance(Duration.ofMinutes(5));
        acks.sending("d2");
        advance(Duration.ofSeconds(4));
        assertThat(acks.problem("b:9092")).isNull();
        advance(Duration.ofSeconds(1));
        assertThat(acks.problem("b:9092")).contains("for 5s");
    }

    @Test
    void aRecordGivenUpOrTakenAwayIsNotWanted() {
        acks.sending("d3");
        acks.dropped();
        advance(Duration.ofSeconds(30));

        assertThat(acks.problem("b:9092")).isNull();
    }
}
