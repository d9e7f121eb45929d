package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells writes the cluster cannot complete from a cluster that does not answer. The producer retries a write refused
 * for too few in-sync replicas, or held for a partition without a leader, until {@code delivery.timeout.ms}, and then
 * says only "Expiring N record(s) … has passed since batch creation", as it does when the brokers are gone; the log
 * and readiness called such a cluster unreachable, and operators looked for a network problem that was not there. So
 * the topic is asked about ({@link ClusterTopics#trouble}): by a send whose record has gone unacknowledged for
 * {@link Acknowledgements#SILENT_FOR} (for {@link OutageLog}, which waits for the answer before it warns), and when
 * an attempt fails so (for its letter).
 */
final class WriteStalls {

    /** What keeps writes to a topic from completing; null when the cluster gave no answer. */
    @FunctionalInterface
    interface Question {
        TopicTrouble trouble(String topic) throws InterruptedException;
    }

    private final Question cluster;
    private final OutageLog outage;
    private final LongSupplier nanoClock;
    private final Duration deliveryTimeout;

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
                answer = cluster.trouble(topic);
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
        TopicTrouble answer = cluster.trouble(topic);
        outage.answered(answer, asked);
        String message = answer == null ? failure.message() + "; the cluster gave no answer when asked afterwards "
                + "either: check that it is up and reachable from this host (kafka.bootstrap_servers)"
                : "kafka topic '" + topic + "': the cluster answers, but the record was not acknowledged within "
                + "delivery.timeout.ms (" + deliveryTimeout.toMillis() + " ms): " + answer.describe() + ". Fix: "
                + answer.fix() + " (Kafka: " + e.getMessage() + ")";
        return new ActionResult.Failure(message, false, failure.retryAfter(), failure.cause(), failure.errorType());
    }

    /** What the producer retries until {@code delivery.timeout.ms}, and how it fails when that runs out. */
    static boolean retriedUntilTimeout(Throwable e) {
        return e instanceof TimeoutException || e instanceof NotEnoughReplicasException
                || e instanceof NotEnoughReplicasAfterAppendException || e instanceof NotLeaderOrFollowerException
                || e instanceof LeaderNotAvailableException;
    }
}
