package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.config.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the log says of a cluster out of reach: one warning when wanted records have gone unacknowledged for
 * {@link Acknowledgements#SILENT_FOR} (readiness's own rule, so the log and {@code /health/ready} agree), a reminder
 * every {@link #REMIND_EVERY} while that lasts, and one line when a record is acknowledged again, with how long the
 * cluster was out of reach. Kafka's own lines per reconnection attempt go to DEBUG ({@link ReconnectWarnings}):
 * during an outage it wrote one per broker and client every few seconds, and these lines replace it.
 *
 * <p>Checked by the sends waiting for an answer, by readiness, and every {@link ClusterWatch#EVERY} by the watch,
 * which also asks a cluster no record waits for whether it answers ({@link #idle}): an outage of an idle cluster is
 * said as well, by the same lines.
 */
final class OutageLog {

    static final Duration REMIND_EVERY = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(OutageLog.class);

    private final String cluster;
    private final Acknowledgements acknowledgements;
    private final String eventsWait;
    private final String idleEventsWait;
    // Not synchronized: the sends' virtual threads check here, and on Java 21 waiting for a monitor pins the carrier.
    private final ReentrantLock lock = new ReentrantLock();
    private boolean outOfReach;
    private long sinceNanos;
    private long remindAtNanos;

    /**
     * @param servers         the bootstrap servers, {@code host:port} only (no credentials)
     * @param deliveryTimeout how long one attempt waits for the cluster ({@code delivery.timeout.ms})
     */
    OutageLog(String servers, Acknowledgements acknowledgements, Duration deliveryTimeout) {
        this.cluster = "Kafka at " + servers;
        this.acknowledgements = acknowledgements;
        String attempts = "each attempt waits for the cluster up to delivery.timeout.ms ("
                + Durations.format(deliveryTimeout) + "), then the observer's retry policy retries it, a row whose "
                + "events keep failing is parked after listener.park_after with its later events held in order, and "
                + "an event out of attempts goes to the dead letters ('pg-observer dlq replay --all' once the cluster "
                + "answers): none are lost";
        this.eventsWait = "their events wait: " + attempts;
        this.idleEventsWait = "events for it meanwhile wait: " + attempts;
    }

    /** Says that the cluster is out of reach, once, then as a reminder every {@link #REMIND_EVERY}. */
    void check() {
        lock.lock();
        try {
            // Read under the lock: an acknowledgement that came first is seen, one that comes later ends what is said.
            Acknowledgements.Silence silence = acknowledgements.silence();
            if (silence == null || !silence.outOfReach()) {
                return;
            }
            String why = "it has acknowledged no record for " + Durations.rounded(silence.lasted()) + " ("
                    + silence.wanted() + ")";
            outOfReach(acknowledgements.now() - silence.lasted().toNanos(), why, silence.wanted(), eventsWait);
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the watch learnt of the cluster while no record was wanted: it answered, or it gave no answer to a
     * question asked at {@code askedNanos}. Records wanted meanwhile say it themselves ({@link #check}).
     */
    void idle(boolean answered, long askedNanos) {
        lock.lock();
        try {
            if (acknowledgements.silence() != null) {
                return;
            }
            // A record sent while the question was open says more than the question's lack of answer: acknowledged,
            // the cluster is back (a question asked while it was down may still time out just after), and a warning
            // then would be a false one.
            if (!answered && acknowledgements.wantedAfter(askedNanos)) {
                return;
            }
            if (answered) {
                back("it answers, and no record was waiting for it");
            } else {
                outOfReach(askedNanos, "it gave no answer when asked (no record is waiting for it)",
                        "no record is waiting for it", idleEventsWait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Says that the cluster is out of reach since {@code since} once, then as a reminder; under the lock. */
    private void outOfReach(long since, String why, String wanted, String events) {
        long now = acknowledgements.now();
        if (!outOfReach) {
            outOfReach = true;
            sinceNanos = since;
            remindAtNanos = now + REMIND_EVERY.toNanos();
            LOG.warn("{} is unreachable: {}; {}. Check that the cluster is up and reachable from this host "
                    + "(kafka.bootstrap_servers). Kafka's own lines per reconnection attempt are logged at DEBUG; "
                    + "this warning repeats every {} while it lasts, and a line says when the cluster answers again",
                    cluster, why, events, Durations.format(REMIND_EVERY));
        } else if (now - remindAtNanos >= 0) {
            remindAtNanos = now + REMIND_EVERY.toNanos();
            LOG.warn("{} is still unreachable after {} ({}); {}", cluster,
                    Durations.rounded(Duration.ofNanos(now - sinceNanos)), wanted, events);
        }
    }

    /** The cluster answers: if it was said to be out of reach, that is over; under the lock. */
    private void back(String how) {
        if (outOfReach) {
            outOfReach = false;
            LOG.info("{} is reachable again after {} out of reach: {}", cluster,
                    Durations.rounded(Duration.ofNanos(acknowledgements.now() - sinceNanos)), how);
        }
    }

    /** A record was acknowledged: the cluster answers, and if it was said to be out of reach, that is over. */
    void acknowledged() {
        lock.lock();
        try {
            back("records are acknowledged, and the events that waited are sent in order");
        } finally {
            lock.unlock();
        }
    }
}
