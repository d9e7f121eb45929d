package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

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
}
