package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Tells writes the cluster cannot complete from a cluster that does not answer. The producer retries a write refused
 * for too few in-sync replicas, or held for a partition without a leader, until {@code delivery.timeout.ms}, and then
 * says only "Expiring N record(s) … has passed since batch creation", as it does when the brokers are gone; the log
 * and readiness called such a cluster unreachable, and operators looked for a network problem that was not there. So
 * the topic is asked about ({@link ClusterTopics#trouble}): by a send whose record has gone unacknowledged for
 * {@link Acknowledgements#SILENT_FOR} (for {@link OutageLog}, which waits for the answer before it warns), and when
 * an attempt fails so (for its letter). Sends that ask about one topic while a question about it is open wait for its
 * answer: the records of a batch expire together, and each of, say, 16 failed attempts asked the cluster its own two
 * questions at once, each held up to {@link ClusterTopics#DESCRIBE_TIMEOUT} when the cluster did not answer.
 */
final class WriteStalls {

    /**
     * What keeps writes to a topic from completing; null when the cluster gave no answer. Throws when interrupted, or
     * when the stop closed the client asking: no answer either, and none to warn of or put in a letter.
     */
    @FunctionalInterface
    interface Question {
        TopicTrouble trouble(String topic) throws InterruptedException;
    }

    private final Question cluster;
    private final OutageLog outage;
    private final LongSupplier nanoClock;
    private final Duration deliveryTimeout;
    /** The question open about each topic; removed when answered, so it holds no more topics than sends wait. */
    private final ConcurrentMap<String, CompletableFuture<Answer>> open = new ConcurrentHashMap<>();

    /** What a question got, for the sends that waited for it; null in the future when its asker was interrupted. */
    private record Answer(TopicTrouble trouble) {
    }

    WriteStalls(Question cluster, OutageLog outage, LongSupplier nanoClock, Duration deliveryTimeout) {
        this.cluster = cluster;
        this.outage = outage;
        this.nanoClock = nanoClock;
        this.deliveryTimeout = deliveryTimeout;
    }

    /** A send still waits for its record on {@code topic}: asks the cluster if the log wants to know, then lets it say. */
    void waiting(String topic) throws InterruptedException {
        if (outage.askNow()) {
            long asked = nanoClock.getAsLong();
            TopicTrouble answer;
            try {
                answer = ask(topic);
            } catch (InterruptedException | RuntimeException e) {
                outage.askedNothing();
                throw e;
            }
            outage.answered(answer, asked);
        }
        outage.check();
    }

    /**
     * The failure of an attempt the producer kept retrying until {@code delivery.timeout.ms}, naming what the cluster
     * says of the topic: it answers, and which partitions have no leader or too few in-sync replicas; or it gave no
     * answer either. Other failures as they are.
     */
    ActionResult.Failure explain(ActionResult.Failure failure, Throwable thrown, String topic)
            throws InterruptedException {
        Throwable e = SendFailures.unwrap(thrown);
        if (failure.permanent() || !retriedUntilTimeout(e)) {
            return failure;
        }
        long asked = nanoClock.getAsLong();
        TopicTrouble answer = ask(topic);
        outage.answered(answer, asked);
        if (answer != null && answer.missing()) {
            return SendFailures.missingTopic(topic, e); // as when the producer finds no metadata for it
        }
        String message = answer == null ? failure.message() + "; the cluster gave no answer when asked afterwards "
                + "either: check that it is up and reachable from this host (kafka.bootstrap_servers)"
                : "kafka topic '" + topic + "': the cluster answers, but the record was not acknowledged within "
                + "delivery.timeout.ms (" + deliveryTimeout.toMillis() + " ms): " + answer.describe() + ". Fix: "
                + answer.fix() + " (Kafka: " + e.getMessage() + ")";
        return new ActionResult.Failure(message, false, failure.retryAfter(), failure.cause(), failure.errorType());
    }

    /**
     * The cluster's answer about {@code topic}, asked by this send, or, when another send's question about it is open,
     * that question's answer. A stop's interrupt ends the wait at once; an asker interrupted leaves its question to
     * the next send that waited for it.
     */
    private TopicTrouble ask(String topic) throws InterruptedException {
        while (true) {
            CompletableFuture<Answer> mine = new CompletableFuture<>();
            CompletableFuture<Answer> theirs = open.putIfAbsent(topic, mine);
            if (theirs == null) {
                Answer answer = null;
                try {
                    answer = new Answer(cluster.trouble(topic));
                    return answer.trouble();
                } finally {
                    open.remove(topic, mine);
                    mine.complete(answer);
                }
            }
            try {
                Answer answer = theirs.get();
                if (answer != null) {
                    return answer.trouble();
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("a question is completed with its answer only", e);
            }
        }
    }

    /** What the producer retries until {@code delivery.timeout.ms}, and how it fails when that runs out. */
    static boolean retriedUntilTimeout(Throwable e) {
        return e instanceof TimeoutException || e instanceof NotEnoughReplicasException
                || e instanceof NotEnoughReplicasAfterAppendException || e instanceof NotLeaderOrFollowerException
                || e instanceof LeaderNotAvailableException;
    }
}
