package io.pgobserver.adapters.kafka;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The lines an outage gets, on a clock the test moves: one when it starts, a reminder a minute, one at its end. */
class OutageLogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Acknowledgements acks = new Acknowledgements(now::get);
    private final OutageLog outage = new OutageLog("b1:9092,b2:9092", acks, Duration.ofMinutes(2));
    private final Logger logger = (Logger) LoggerFactory.getLogger(OutageLog.class);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private List<String> lines() {
        return log.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void anOutageIsSaidOnceWhenItStartsRemindedEveryMinuteAndSaidOnceWhenItEnds() {
        acks.sending("d1");
        advance(Acknowledgements.SILENT_FOR.minusMillis(1));
        outage.check();
        assertThat(lines()).as("not yet out of reach").isEmpty();

        advance(Duration.ofMillis(1));
        outage.check();
        outage.check();
        advance(OutageLog.REMIND_EVERY.minusSeconds(1));
        outage.check();
        assertThat(lines()).singleElement().asString().startsWith("WARN Kafka at b1:9092,b2:9092 is unreachable: it "
                        + "has acknowledged no record for 5s (1 sending, 0 waiting to be retried); their events wait: "
                        + "each attempt waits for the cluster up to delivery.timeout.ms (2m), then the observer's retry "
                        + "policy retries it")
                .contains("repeats every 1m");

        advance(Duration.ofSeconds(1));
        acks.retrying("d1");
        outage.check();
        outage.check();
        assertThat(lines()).hasSize(2).last().asString().startsWith("WARN Kafka at b1:9092,b2:9092 is still "
                + "unreachable after 1m 5s (0 sending, 1 waiting to be retried); their events wait");

        advance(Duration.ofSeconds(10));
        acks.sending("d1");
        acks.acknowledged();
        outage.acknowledged();
        outage.acknowledged();
        outage.check();
        assertThat(lines()).hasSize(3).last().asString().isEqualTo("INFO Kafka at b1:9092,b2:9092 is reachable again "
                + "after 1m 15s out of reach: records are acknowledged, and the events that waited are sent in order");
    }

    /** What the watch learns of a cluster no record waits for gets the same lines: once, every minute, once. */
    @Test
    void anIdleClustersOutageIsSaidOnceRemindedEveryMinuteAndSaidOnceWhenItEnds() {
        outage.idle(true, now.get());
        long asked = now.get();
        advance(ClusterTopics.ASK_TIMEOUT);
        outage.idle(false, asked);
        advance(Duration.ofSeconds(30));
        outage.idle(false, now.get());
        assertThat(lines()).singleElement().asString().startsWith("WARN Kafka at b1:9092,b2:9092 is unreachable: it "
                + "gave no answer when asked (no record is waiting for it); events for it meanwhile wait: each "
                + "attempt waits for the cluster up to delivery.timeout.ms (2m)").contains("repeats every 1m");

        advance(Duration.ofSeconds(30));
        outage.idle(false, now.get());
        assertThat(lines()).hasSize(2).last().asString().startsWith("WARN Kafka at b1:9092,b2:9092 is still "
                + "unreachable after 1m 5s (no record is waiting for it); events for it meanwhile wait");

        // A record wanted meanwhile says it itself: what the watch learnt before it is not told.
        acks.sending("d1");
        outage.idle(true, now.get());
        assertThat(lines()).hasSize(2);
        acks.dropped();
        advance(Duration.ofSeconds(10));
        outage.idle(true, now.get());
        outage.idle(true, now.get());
        assertThat(lines()).hasSize(3).last().asString().isEqualTo("INFO Kafka at b1:9092,b2:9092 is reachable again "
                + "after 1m 15s out of reach: it answers, and no record was waiting for it");
    }

    /**
     * The watch asked while the cluster was down and got no answer, but a record sent meanwhile was acknowledged: the
     * cluster is back, and the late "no answer" must not say it is unreachable again.
     */
    @Test
    void noAnswerToAQuestionOutlivedByAnAcknowledgementIsNotAnOutage() {
        outage.idle(false, now.get());
        advance(Duration.ofSeconds(30));
        long asked = now.get();
        advance(Duration.ofSeconds(4));
        acks.sending("d1");
        acks.acknowledged();
        outage.acknowledged();
        advance(Duration.ofSeconds(1));
        outage.idle(false, asked);

        assertThat(lines()).hasSize(2);
        assertThat(lines().getLast()).startsWith("INFO Kafka at b1:9092,b2:9092 is reachable again after 34s");
    }

    @Test
    void aClusterThatAcknowledgesWithinTheSilenceOrHasNothingToAcknowledgeIsNotSaidToBeOutOfReach() {
        advance(Duration.ofMinutes(10));
        outage.check();
        acks.sending("d1");
        advance(Duration.ofSeconds(4));
        acks.acknowledged();
        outage.acknowledged();
        advance(Duration.ofSeconds(4));
        outage.check();

        assertThat(lines()).isEmpty();
    }
    private static final TopicTrouble TOO_FEW_REPLICAS = TopicTrouble.of(new TopicDescription("orders", false,
            List.of(new TopicPartitionInfo(0, new Node(1, "b1", 9092), List.of(new Node(1, "b1", 9092),
                    new Node(2, "b2", 9092)), List.of(new Node(1, "b1", 9092))))), 2);

    /**
     * Records unacknowledged from a cluster that answers: the warning waits for the question, then names the topic's
     * trouble, not an outage; a minute later a reminder, and a line when records are acknowledged again.
     */
    @Test
    void aClusterThatAnswersButTimesWritesOutIsNotCalledUnreachable() {
        acks.sending("d1");
        advance(Acknowledgements.SILENT_FOR);
        assertThat(outage.askNow()).isTrue();
        assertThat(outage.askNow()).as("one question at a time").isFalse();
        outage.check();
        assertThat(lines()).as("the warning waits for the answer").isEmpty();

        outage.answered(TOO_FEW_REPLICAS, now.get());
        advance(OutageLog.REMIND_EVERY);
        outage.check();
        assertThat(lines()).hasSize(2);
        assertThat(lines().getFirst()).startsWith("WARN Kafka at b1:9092,b2:9092 answers, but has acknowledged no "
                + "record for 5s (1 sending, 0 waiting to be retried): writes to topic 'orders' time out: partition 0 "
                + "has too few in-sync replicas: 1 of min.insync.replicas 2 (replicas on brokers 1,2, in sync: 1). "
                + "Fix: bring back the brokers that hold its replicas").contains("or lower the topic's "
                + "min.insync.replicas", "their events wait");
        assertThat(lines().getLast()).startsWith("WARN Kafka at b1:9092,b2:9092 answers, but writes have timed out "
                + "for 1m 5s (1 sending, 0 waiting to be retried): writes to topic 'orders' time out: partition 0");
        assertThat(outage.answeredProblem()).startsWith("Kafka at b1:9092,b2:9092 answers, but has acknowledged no "
                + "record for 1m 5s (1 sending, 0 waiting to be retried): writes to topic 'orders' time out");

        acks.acknowledged();
        outage.acknowledged();
        assertThat(lines()).hasSize(3).last().asString().isEqualTo("INFO Kafka at b1:9092,b2:9092 no longer times "
                + "writes out, after 1m 5s: records are acknowledged, and the events that waited are sent in order");
        assertThat(outage.answeredProblem()).isNull();
    }

    /** Said to be unreachable while only retries waited (no send to ask), then the next send's question corrects it. */
    @Test
    void anAnswerAfterTheWarningSaysTheClusterIsNotUnreachable() {
        acks.sending("d1");
        acks.retrying("d1");
        advance(Acknowledgements.SILENT_FOR);
        outage.checkUnlessSending();
        acks.sending("d1");
        assertThat(outage.askNow()).isTrue();
        outage.answered(TOO_FEW_REPLICAS, now.get());

        assertThat(lines()).hasSize(2);
        assertThat(lines().getFirst()).startsWith("WARN Kafka at b1:9092,b2:9092 is unreachable");
        assertThat(lines().getLast()).startsWith("WARN Kafka at b1:9092,b2:9092 answers (it was said to be "
                + "unreachable: it is not), but has acknowledged no record for 5s");
    }

    /** No answer either: an outage, as before, and the warning says the cluster was asked. */
    @Test
    void noAnswerToTheQuestionIsAnOutage() {
        acks.sending("d1");
        advance(Acknowledgements.SILENT_FOR);
        outage.checkUnlessSending();
        assertThat(lines()).as("the send checks, and asks first").isEmpty();
        assertThat(outage.askNow()).isTrue();
        outage.answered(null, now.get());

        assertThat(lines()).singleElement().asString().startsWith("WARN Kafka at b1:9092,b2:9092 is unreachable: it "
                + "has acknowledged no record for 5s (1 sending, 0 waiting to be retried) and gave no answer when asked");
        assertThat(outage.answeredProblem()).isNull();
    }
}
