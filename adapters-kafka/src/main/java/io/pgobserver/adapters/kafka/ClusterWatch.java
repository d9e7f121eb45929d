package io.pgobserver.adapters.kafka;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Keeps {@link OutageLog} told while nothing else does: every {@link #EVERY}, on a virtual thread of its own, it
 * checks the outage's log, and while no record is wanted asks the cluster whether it answers. Without it an outage
 * was logged only when records waited (the sends and readiness check then), so a cluster that went down on a quiet
 * night was not logged until the next event for it, and reminders stopped while records waited out their backoff.
 *
 * <p>One question per round, on the admin client that answers topic questions ({@link ClusterTopics#answers}), so
 * the watch adds no connection per round: the one the admin client holds, kept open by the rounds. None while
 * records are wanted: their silence already says whether the cluster answers. Nothing is asked before an action of
 * the type is prepared (a {@code kafka:} section no observer sends to is not watched). The thread is a daemon, and a
 * stop interrupts it without waiting: a question it had open is given up, and its answer not told.
 */
final class ClusterWatch {

    static final Duration EVERY = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    /** Whether the cluster answers: true or false, null when it cannot be asked (the client is stopped). */
    @FunctionalInterface
    interface Question {
        Boolean answers() throws InterruptedException;
    }

    private final Duration every;
    private final Acknowledgements acknowledgements;
    private final OutageLog outage;
    private final Question cluster;
    private final BooleanSupplier sendsTo;
    private Thread thread;

    /**
     * @param sendsTo whether an action sends to the cluster (one was prepared)
     */
    ClusterWatch(Duration every, Acknowledgements acknowledgements, OutageLog outage, Question cluster,
                 BooleanSupplier sendsTo) {
        this.every = every;
        this.acknowledgements = acknowledgements;
        this.outage = outage;
        this.cluster = cluster;
        this.sendsTo = sendsTo;
    }

    synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("pgobserver-kafka-watch").start(this::watch);
        }
    }

    synchronized void stop() {
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void watch() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(every);
                try {
                    round();
                } catch (RuntimeException e) {
                    // One failed round must not end the watch: the thread would die with nothing in the log, and
                    // every later outage of an idle cluster go untold for the life of the process.
                    LOG.warn("the watch over the Kafka cluster's outages failed a round and goes on: {}", e.toString(),
                            e);
                }
            }
        } catch (InterruptedException e) {
            // The stop: nothing more to say.
        }
    }

    /** One round: what {@link OutageLog} is told. */
    void round() throws InterruptedException {
        if (!sendsTo.getAsBoolean()) {
            return;
        }
        if (acknowledgements.silence() != null) {
            outage.checkUnlessSending();
            return;
        }
        long asked = acknowledgements.now();
        Boolean answered = cluster.answers();
        // Stopping: the admin client may have been closed under the question, which says nothing of the cluster.
        if (answered != null && !Thread.currentThread().isInterrupted()) {
            outage.idle(answered, asked);
        }
    }
}
