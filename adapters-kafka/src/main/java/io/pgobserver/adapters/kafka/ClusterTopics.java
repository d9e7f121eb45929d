package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether a topic exists, asked of the cluster when the producer timed out waiting for a topic's metadata (the
 * producer cannot tell a missing topic from an unreachable cluster). One admin client answers every question: made
 * at the first, closed with the producer. An admin client per question started its connection attempts afresh each
 * time, and during an outage each failed send added its own burst of connection warnings to the log. Each question
 * expires in the admin client itself, so an idle one has nothing to reconnect for. While the cluster is known to be
 * out of reach (a question less than {@code quietFor} ago got no answer) the answer is "cannot tell" without asking.
 * The same client answers {@link ClusterWatch}'s question whether the cluster answers at all, on the same connection.
 */
final class ClusterTopics implements AutoCloseable {

    static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    static final Duration QUIET_AFTER_NO_ANSWER = Duration.ofSeconds(10);
    /**
     * How long {@link #trouble} waits: a cluster that answers describes a topic in milliseconds, and the answer
     * decides whether an outage is logged as one. Waited longer, a broker back meanwhile answered the question that
     * its outage had left open, and the log said "answers" of a cluster that had been down all along.
     */
    static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(2);
    /** None: a question still open at the close was asked by a send the stop interrupted; nobody waits for it. */
    private static final Duration CLOSE_TIMEOUT = Duration.ZERO;

    private final Supplier<Admin> connect;
    private final Duration askTimeout;
    private final Duration quietFor;
    private final LongSupplier nanoClock;
    // Not synchronized: events ask on virtual threads while another makes the client (resolving the brokers' names)
    // or closes it (up to CLOSE_TIMEOUT), and on Java 21 a virtual thread waiting for a monitor pins its carrier.
    private final ReentrantLock lock = new ReentrantLock();
    private Admin admin;
    private volatile boolean closed;
    private volatile boolean unanswered;
    private volatile long unansweredAtNanos;

    ClusterTopics(Supplier<Admin> connect) {
        this(connect, ASK_TIMEOUT, QUIET_AFTER_NO_ANSWER, System::nanoTime);
    }

    ClusterTopics(Supplier<Admin> connect, Duration askTimeout, Duration quietFor, LongSupplier nanoClock) {
        this.connect = connect;
        this.askTimeout = askTimeout;
        this.quietFor = quietFor;
        this.nanoClock = nanoClock;
    }

    /**
     * True or false when the cluster answered, null when it could not be asked; waits up to {@code within}, and
     * {@link #ASK_TIMEOUT} at most.
     */
    Boolean exists(String topic, Duration within) throws InterruptedException {
        if (unanswered && nanoClock.getAsLong() - unansweredAtNanos < quietFor.toNanos()) {
            return null;
        }
        long waitMs = Math.min(askTimeout.toMillis(), within.toMillis());
        try {
            Admin a = admin();
            if (a == null) {
                return null;
            }
            a.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) waitMs))
                    .allTopicNames().get(waitMs * 2, TimeUnit.MILLISECONDS);
            unanswered = false;
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                unanswered = false;
                return false;
            }
            return noAnswer();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            return noAnswer();
        }
    }

    /**
     * Whether the cluster answers (the brokers it has, asked of one): true or false, or null once closed. Always
     * asked, whatever the last question got: {@link ClusterWatch} asks seldom, and asks to learn just that. A
     * refused login or request is an answer: the cluster is up, and each send's dead letter names the login or ACL
     * to fix; taken for no answer, it had the log warn every minute of an outage that was not there.
     */
    Boolean answers() throws InterruptedException {
        try {
            Admin a = admin();
            if (a == null) {
                return null;
            }
            a.describeCluster(new DescribeClusterOptions().timeoutMs((int) askTimeout.toMillis()))
                    .nodes().get(askTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            unanswered = false;
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                unanswered = false;
                return true;
            }
            noAnswer();
            return false;
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            noAnswer();
            return false;
        }
    }

    /**
     * What keeps writes to the topic from completing, as the cluster describes it (each partition's leader and
     * in-sync replicas, and with {@code acksAll} the topic's {@code min.insync.replicas}); null when it gave no answer
     * within {@link #DESCRIBE_TIMEOUT}, or none was had less than {@code quietFor} ago. Asked when records go
     * unacknowledged and when their attempt fails: whether the cluster answers is what tells an outage from writes
     * the cluster refuses or cannot place.
     *
     * @param principal who the producer logs in as, named in the ACL that lets its {@code min.insync.replicas} be read
     * @throws InterruptedException when interrupted, or when the stop closed the admin client before or meanwhile
     */
    TopicTrouble trouble(String topic, boolean acksAll, String principal) throws InterruptedException {
        if (closed) {
            throw stopped(topic);
        }
        if (unanswered && nanoClock.getAsLong() - unansweredAtNanos < quietFor.toNanos()) {
            return null;
        }
        int waitMs = (int) Math.min(askTimeout.toMillis(), DESCRIBE_TIMEOUT.toMillis());
        try {
            // Inside the try: a client that cannot be made (no broker name resolves) is no answer, not the send's
            // failure; thrown, it failed the attempt while the producer still held its record.
            Admin a = admin();
            if (a == null) {
                throw stopped(topic);
            }
            KafkaFuture<Map<String, TopicDescription>> described = a.describeTopics(List.of(topic),
                    new DescribeTopicsOptions().timeoutMs(waitMs)).allTopicNames();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            KafkaFuture<Config> configs = acksAll ? a.describeConfigs(List.of(resource),
                    new DescribeConfigsOptions().timeoutMs(waitMs)).values().get(resource) : null;
            TopicDescription description = described.get(waitMs * 2L, TimeUnit.MILLISECONDS).get(topic);
            TopicTrouble trouble = configs == null ? TopicTrouble.of(description, 0) // in-sync replicas hold no write
                    : minInsync(description, configs, waitMs * 2L, principal);
            unanswered = false;
            return trouble;
        } catch (ExecutionException e) {
            if (closed) {
                throw stopped(topic);
            }
            // A refusal is an answer: the cluster is up (a missing Describe ACL is no outage).
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                unanswered = false;
                return TopicTrouble.undescribed(topic, e.getCause().getMessage());
            }
            // So is "no such topic" (deleted after the producer learnt its partitions): taken for no answer, it had the
            // log call the cluster unreachable, and kept exists() from asking for QUIET_AFTER_NO_ANSWER.
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                unanswered = false;
                return TopicTrouble.missing(topic);
            }
            return noAnswer();
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            if (closed) {
                throw stopped(topic);
            }
            return noAnswer();
        }
    }

    /**
     * The topic's trouble under {@code acks=all}, given its configs as the cluster answered. A principal with Describe
     * but not DescribeConfigs on the topic lost the described partitions with the refused configs: they are kept.
     */
    private static TopicTrouble minInsync(TopicDescription description, KafkaFuture<Config> config, long waitMs,
            String principal) throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        String topic = description.name();
        ConfigEntry entry;
        try {
            entry = config.get(waitMs, TimeUnit.MILLISECONDS).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof AuthorizationException)) {
                throw e;
            }
            return TopicTrouble.withoutMinInsync(description, new TopicTrouble.MinInsyncUnread("the cluster refused "
                    + principal + " DescribeConfigs on the topic (" + e.getCause().getMessage() + ")", "to have "
                    + "min.insync.replicas read here, add the ACL with kafka-acls.sh --add --allow-principal "
                    + principal + " --operation DescribeConfigs --topic " + topic));
        }
        String value = entry == null || entry.value() == null ? null : entry.value().trim();
        try {
            return TopicTrouble.of(description, Integer.parseInt(value));
        } catch (NumberFormatException e) {
            // The cluster answered: what it gave is the news, not an outage.
            return TopicTrouble.withoutMinInsync(description, new TopicTrouble.MinInsyncUnread(value == null
                    ? "the cluster gave no value for it" : "the cluster gave '" + value + "', not a number",
                    "kafka-configs.sh --describe --entity-type topics --entity-name " + topic + " shows it"));
        }
    }

    /**
     * The stop closed the admin client while a send asked, or before: the question ended because pg-observer is
     * stopping, which is no answer from the cluster: taken for one, the letter said to check that the cluster is up,
     * and the log could warn of an outage as the observer stopped.
     */
    static InterruptedException stopped(String topic) {
        return new InterruptedException("the question about kafka topic '" + topic + "' was ended by the stop");
    }

    private <T> T noAnswer() {
        unansweredAtNanos = nanoClock.getAsLong();
        unanswered = true;
        return null;
    }

    /**
     * The admin client, made at the first question; null once closed. Making it fails when no bootstrap server's
     * name resolves (the names are looked up then): that is no answer from the cluster, as a refused connection is,
     * and the next question tries again. Read as "cannot be asked", it left an idle cluster's outage untold.
     */
    private Admin admin() {
        lock.lock();
        try {
            if (admin == null && !closed) {
                admin = connect.get();
            }
            return admin;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (admin != null) {
                admin.close(CLOSE_TIMEOUT);
                admin = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
