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
 * cluster was out of reach. A send waiting then asks the cluster about its topic first ({@link #askNow}): a cluster
 * that answers is not called unreachable, and the warning names what keeps its writes from completing instead
 * ({@link TopicTrouble}: a partition without a leader, too few in-sync replicas). Kafka's own lines per reconnection attempt go to DEBUG ({@link ReconnectWarnings}):
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
    /** What the log has said of the cluster, so that a change is said once and the rest is a reminder. */
    private enum Said { NOTHING, UNREACHABLE, WRITES_TIME_OUT }

    private Said said = Said.NOTHING;
    private long sinceNanos;
    private long remindAtNanos;
    /** A question ({@link #askNow}) is open: the warning waits for its answer, which says which of the two it is. */
    private boolean asking;
    private boolean answerKnown;
    private long answerAtNanos;
    /** What the cluster said of a waited-for topic; null when it gave no answer. */
    private TopicTrouble trouble;

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

    /**
     * Says that the cluster is out of reach, or that it answers but writes to a topic time out, once, then as a
     * reminder every {@link #REMIND_EVERY}.
     */
    void check() {
        lock.lock();
        try {
            checkLocked();
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link #check}, unless a record is being sent: its send checks every second itself, and asks the cluster
     * first ({@link WriteStalls}), so that a cluster that answers is not called unreachable by readiness or the watch
     * a moment before. Records that all wait out their backoff have no send to check for them.
     */
    void checkUnlessSending() {
        Acknowledgements.Silence silence = acknowledgements.silence();
        if (silence == null || silence.sending() == 0) {
            check();
        }
    }

    private void checkLocked() {
        // Read under the lock: an acknowledgement that came first is seen, one that comes later ends what is said.
        Acknowledgements.Silence silence = acknowledgements.silence();
        if (silence == null || !silence.outOfReach() || asking) {
            return;
        }
        long since = acknowledgements.now() - silence.lasted().toNanos();
        TopicTrouble answer = answeredSince(since);
        if (answer != null) {
            writesTimeOut(since, answer, silence);
            return;
        }
        String why = "it has acknowledged no record for " + Durations.rounded(silence.lasted()) + " ("
                + silence.wanted() + ")" + (answerKnown && answerAtNanos - since >= 0
                ? " and gave no answer when asked" : "");
        outOfReach(since, why, silence.wanted(), eventsWait);
    }

    /**
     * Whether the caller is to ask the cluster now why wanted records go unacknowledged, and tell {@link #answered}
     * (then {@link #askedNothing} if it could not): once they have been for {@link Acknowledgements#SILENT_FOR}, then
     * every {@link #REMIND_EVERY}, one caller at a time. Without the question an outage and writes the cluster cannot
     * complete looked the same, and both were logged as "unreachable".
     */
    boolean askNow() {
        lock.lock();
        try {
            Acknowledgements.Silence silence = acknowledgements.silence();
            if (asking || silence == null || !silence.outOfReach()) {
                return false;
            }
            long now = acknowledgements.now();
            if (answerKnown && answerAtNanos - (now - silence.lasted().toNanos()) >= 0
                    && now - answerAtNanos < REMIND_EVERY.toNanos()) {
                return false;
            }
            asking = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the cluster said, asked at {@code askedNanos}, of a topic that records wait for: its trouble, or null for
     * no answer. Ends the question {@link #askNow} began, if one was.
     */
    void answered(TopicTrouble answer, long askedNanos) {
        lock.lock();
        try {
            asking = false;
            answerKnown = true;
            answerAtNanos = askedNanos;
            trouble = answer;
            checkLocked();
        } finally {
            lock.unlock();
        }
    }

    /** The question {@link #askNow} began got no answer worth telling (the asker was interrupted). */
    void askedNothing() {
        lock.lock();
        try {
            asking = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Readiness's words while wanted records go unacknowledged and the cluster, asked, answered: it is not out of
     * reach, and what it said of the topic is what to fix. Null otherwise ({@link Acknowledgements#problem}).
     */
    String answeredProblem() {
        lock.lock();
        try {
            Acknowledgements.Silence silence = acknowledgements.silence();
            if (silence == null || !silence.outOfReach()) {
                return null;
            }
            TopicTrouble answer = answeredSince(acknowledgements.now() - silence.lasted().toNanos());
            return answer == null ? null : cluster + " answers, but has acknowledged no record for "
                    + Durations.rounded(silence.lasted()) + " (" + silence.wanted() + "): " + timeOut(answer) + ": "
                    + answer.fix() + "; " + Acknowledgements.eventsWait("once records are acknowledged again");
        } finally {
            lock.unlock();
        }
    }

    /** What the cluster answered of a topic since {@code since}; null when it was not asked or did not answer. */
    private TopicTrouble answeredSince(long since) {
        return answerKnown && trouble != null && answerAtNanos - since >= 0 ? trouble : null;
    }

    private static String timeOut(TopicTrouble answer) {
        return "writes to topic '" + answer.topic() + "' time out: " + answer.describe();
    }

    /** Says that the cluster answers but writes time out, once, then as a reminder; under the lock. */
    private void writesTimeOut(long since, TopicTrouble answer, Acknowledgements.Silence silence) {
        long now = acknowledgements.now();
        if (said != Said.WRITES_TIME_OUT) {
            String correction = said == Said.UNREACHABLE ? " (it was said to be unreachable: it is not)" : "";
            sinceNanos = said == Said.NOTHING ? since : sinceNanos;
            said = Said.WRITES_TIME_OUT;
            remindAtNanos = now + REMIND_EVERY.toNanos();
            LOG.warn("{} answers{}, but has acknowledged no record for {} ({}): {}. Fix: {}; {}. This warning repeats "
                    + "every {} while it lasts, and a line says when records are acknowledged again", cluster,
                    correction, Durations.rounded(silence.lasted()), silence.wanted(), timeOut(answer), answer.fix(),
                    eventsWait, Durations.format(REMIND_EVERY));
        } else if (now - remindAtNanos >= 0) {
            remindAtNanos = now + REMIND_EVERY.toNanos();
            LOG.warn("{} answers, but writes have timed out for {} ({}): {}. Fix: {}; {}", cluster,
                    Durations.rounded(Duration.ofNanos(now - sinceNanos)), silence.wanted(), timeOut(answer),
                    answer.fix(), eventsWait);
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
        if (said != Said.UNREACHABLE) {
            sinceNanos = said == Said.NOTHING ? since : sinceNanos;
            said = Said.UNREACHABLE;
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

    /** The cluster answers: if it was said to be out of reach, or to time writes out, that is over; under the lock. */
    private void back(String how) {
        Duration lasted = Duration.ofNanos(acknowledgements.now() - sinceNanos);
        if (said == Said.UNREACHABLE) {
            LOG.info("{} is reachable again after {} out of reach: {}", cluster, Durations.rounded(lasted), how);
        } else if (said == Said.WRITES_TIME_OUT) {
            LOG.info("{} no longer times writes out, after {}: {}", cluster, Durations.rounded(lasted), how);
        }
        said = Said.NOTHING;
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
