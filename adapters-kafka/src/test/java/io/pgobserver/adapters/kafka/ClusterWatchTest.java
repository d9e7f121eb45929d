package io.pgobserver.adapters.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** When a round of the watch asks the cluster: only for an action that sends to it, and only while nothing waits. */
class ClusterWatchTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Acknowledgements acks = new Acknowledgements(now::get);
    private final OutageLog outage = new OutageLog("b1:9092", acks, Duration.ofMinutes(2));
    private final AtomicInteger questions = new AtomicInteger();
    private final AtomicBoolean sendsTo = new AtomicBoolean();
    private final ClusterWatch watch = new ClusterWatch(ClusterWatch.EVERY, acks, outage, () -> {
        questions.incrementAndGet();
        return false;
    }, sendsTo::get);

    @Test
    void aClusterIsAskedOnlyOnceAnActionSendsToItAndWhileNoRecordWaitsForIt() throws Exception {
        watch.round();
        assertThat(questions).as("a kafka: section no action sends to").hasValue(0);

        sendsTo.set(true);
        watch.round();
        assertThat(questions).hasValue(1);

        acks.sending("d1");
        watch.round();
        acks.retrying("d1");
        watch.round();
        assertThat(questions).as("records waiting: their silence tells").hasValue(1);

        now.addAndGet(Acknowledgements.RETRY_WAIT.toNanos());
        watch.round();
        assertThat(questions).as("the record waits no more").hasValue(2);
    }

    @Test
    void aRoundThatThrowsDoesNotEndTheWatch() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        ClusterWatch failingOnce = new ClusterWatch(Duration.ofMillis(10), acks, outage, () -> {
            if (asked.incrementAndGet() == 1) {
                throw new IllegalStateException("a question that failed unexpectedly");
            }
            return true;
        }, () -> true);
        failingOnce.start();
        try {
            long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (asked.get() < 3 && System.nanoTime() - giveUp < 0) {
                Thread.sleep(10);
            }
        } finally {
            failingOnce.stop();
        }
        assertThat(asked).as("rounds after the one that threw").hasValueGreaterThanOrEqualTo(3);
    }
}
