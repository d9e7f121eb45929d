package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The letters of writes the producer gave up on, when the cluster gives no answer either, and of what is no timeout
 * (KafkaExecutorIT shows a cluster that answers, with a broker of two stopped).
 */
class WriteStallsTest {

    private static final SendFailures FAILURES = new SendFailures("User:alice");
    private static final ProducerRecord<byte[], byte[]> RECORD = new ProducerRecord<>("orders", new byte[1]);

    private final AtomicInteger questions = new AtomicInteger();
    private final Acknowledgements acks = new Acknowledgements(System::nanoTime);
    private final WriteStalls stalls = new WriteStalls(topic -> {
        questions.incrementAndGet();
        return null;
    }, new OutageLog("b1:9092", acks, Duration.ofMinutes(2)), System::nanoTime, Duration.ofMinutes(2));

    private ActionResult.Failure explain(Throwable e) throws InterruptedException {
        ExecutionException thrown = new ExecutionException(e);
        return stalls.explain(FAILURES.classify(RECORD, thrown), thrown, "orders");
    }

    @Test
    void anExpiredRecordOfAClusterThatGivesNoAnswerSaysSo() throws Exception {
        ActionResult.Failure f = explain(new TimeoutException("Expiring 1 record(s) for orders-0:120000 ms has passed "
                + "since batch creation"));

        assertThat(f.permanent()).isFalse();
        assertThat(f.errorType()).isEqualTo("REQUEST_TIMED_OUT");
        assertThat(f.message()).isEqualTo("kafka topic 'orders': Expiring 1 record(s) for orders-0:120000 ms has "
                + "passed since batch creation; the cluster gave no answer when asked afterwards either: check that "
                + "it is up and reachable from this host (kafka.bootstrap_servers)");
    }

    @Test
    void aRefusalIsNoTimeoutAndAsksNothing() throws Exception {
        ActionResult.Failure f = explain(new TopicAuthorizationException(Set.of("orders")));

        assertThat(f.message()).contains("may not write to it");
        assertThat(questions).hasValue(0);
    }

    private static final TimeoutException EXPIRED = new TimeoutException("Expiring 1 record(s) for orders-0:120000 ms "
            + "has passed since batch creation");

    /** A cluster that answers once {@code release} opens, counting the questions. */
    private WriteStalls heldBy(CountDownLatch release, TopicTrouble answer) {
        return new WriteStalls(topic -> {
            questions.incrementAndGet();
            release.await();
            return answer;
        }, new OutageLog("b1:9092", acks, Duration.ofMinutes(2)), System::nanoTime, Duration.ofMinutes(2));
    }

    private static ActionResult.Failure explain(WriteStalls stalls) throws InterruptedException {
        ExecutionException thrown = new ExecutionException(EXPIRED);
        return stalls.explain(FAILURES.classify(RECORD, thrown), thrown, "orders");
    }

    /** A send whose attempt expired, on a thread of its own: its letter, once it has one. */
    private static Thread asking(WriteStalls stalls, AtomicReference<ActionResult.Failure> letter) {
        return Thread.ofVirtual().start(() -> {
            try {
                letter.set(explain(stalls));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        await(() -> thread.getState() == Thread.State.WAITING);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("waited 30 s").isNegative();
            Thread.sleep(10);
        }
    }

    /**
     * The records of a batch expire together: 16 attempts failing at once ask the cluster one question between them
     * (before, 16 at once, each held up to ClusterTopics.DESCRIBE_TIMEOUT when the cluster did not answer).
     */
    @Test
    void attemptsFailingTogetherShareOneQuestionAndItsAnswer() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WriteStalls held = heldBy(release, TopicTrouble.undescribed("orders", "Topic authorization failed."));
        List<AtomicReference<ActionResult.Failure>> letters = new ArrayList<>();
        List<Thread> sends = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            AtomicReference<ActionResult.Failure> letter = new AtomicReference<>();
            letters.add(letter);
            Thread send = asking(held, letter);
            sends.add(send);
            awaitWaiting(send);
        }
        release.countDown();
        for (Thread send : sends) {
            assertThat(send.join(Duration.ofSeconds(30))).isTrue();
        }

        assertThat(questions).as("questions asked of the cluster").hasValue(1);
        assertThat(letters).allSatisfy(letter -> assertThat(letter.get().message())
                .contains("the cluster would not describe the topic to pg-observer"));
    }

    /** A stop interrupts every send: one waiting for another's question ends at once, the question still open. */
    @Test
    void aSendWaitingForAnotherSendsQuestionEndsAtOnceWhenInterrupted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WriteStalls held = heldBy(release, null);
        Thread asker = asking(held, new AtomicReference<>());
        awaitWaiting(asker);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                ended.set(new AssertionError("not interrupted: " + explain(held).message()));
            } catch (InterruptedException e) {
                ended.set(e);
            }
        });
        awaitWaiting(waiter);

        waiter.interrupt();
        assertThat(waiter.join(Duration.ofSeconds(30))).isTrue();
        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
        assertThat(asker.isAlive()).as("the question is still open").isTrue();
        release.countDown();
        assertThat(asker.join(Duration.ofSeconds(30))).isTrue();
    }

    /** An asker the stop or parking interrupted leaves its question to a send that waited for it. */
    @Test
    void aSendWhoseAskerWasInterruptedAsksItself() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WriteStalls held = heldBy(release, null);
        Thread asker = asking(held, new AtomicReference<>());
        awaitWaiting(asker);
        AtomicReference<ActionResult.Failure> letter = new AtomicReference<>();
        Thread waiter = asking(held, letter);
        awaitWaiting(waiter);

        asker.interrupt();
        assertThat(asker.join(Duration.ofSeconds(30))).isTrue();
        await(() -> questions.get() == 2);
        release.countDown();
        assertThat(waiter.join(Duration.ofSeconds(30))).isTrue();
        assertThat(letter.get().message()).contains("the cluster gave no answer when asked afterwards either");
    }

    /** A topic deleted while its records waited: the cluster answers that it is missing, which is no outage. */
    @Test
    void aTopicTheClusterSaysIsMissingIsDeadLetteredAsAMissingTopic() throws Exception {
        WriteStalls missing = new WriteStalls(TopicTrouble::missing,
                new OutageLog("b1:9092", acks, Duration.ofMinutes(2)), System::nanoTime, Duration.ofMinutes(2));

        ActionResult.Failure f = explain(missing);

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(f.message()).isEqualTo("kafka topic 'orders' does not exist: create it, or correct the action's "
                + "topic template (or let the brokers create topics: auto.create.topics.enable)");
    }
}
