package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Topic questions while the cluster cannot be reached (a port nothing listens on): one admin client, and no new
 * question while the last one got no answer, so an outage does not make every failed send reconnect afresh.
 */
class ClusterTopicsTest {

    private final AtomicInteger admins = new AtomicInteger();
    private final AtomicInteger questions = new AtomicInteger();
    private final AtomicLong now = new AtomicLong();

    /** A real admin client (ForwardingAdmin makes one of the configs) that counts the questions asked. */
    private Admin counted(String bootstrap) {
        admins.incrementAndGet();
        return new ForwardingAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "cluster-topics-test")) {
            @Override
            public DescribeTopicsResult describeTopics(Collection<String> names, DescribeTopicsOptions options) {
                questions.incrementAndGet();
                return super.describeTopics(names, options);
            }
        };
    }

    @Test
    void anUnreachableClusterIsAskedAgainOnlyAfterTheQuietPeriodAndByOneAdminClient() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        try (ClusterTopics topics = new ClusterTopics(() -> counted(nowhere), Duration.ofMillis(300),
                Duration.ofSeconds(10), now::get)) {
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isNull();
            assertThat(questions).hasValue(1);

            now.addAndGet(Duration.ofSeconds(9).toNanos());
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isNull();
            assertThat(topics.exists("orders.created", ClusterTopics.ASK_TIMEOUT)).isNull();
            assertThat(questions).as("no question while the last one got no answer").hasValue(1);

            now.addAndGet(Duration.ofSeconds(2).toNanos());
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isNull();
            assertThat(questions).hasValue(2);
            assertThat(admins).as("one admin client for every question").hasValue(1);
        }
    }

    /**
     * A bootstrap server whose name does not resolve when the first question comes (it did at start): the admin client
     * cannot be made, which is no answer, as a refused connection is. Before, it read as "cannot be asked", and the
     * watch over an idle cluster logged nothing for as long as the name did not resolve.
     */
    @Test
    void aClusterWhoseNameDoesNotResolveGivesNoAnswerAndIsAskedAgain() throws Exception {
        try (ClusterTopics topics = new ClusterTopics(() -> counted("no-such-broker.invalid:9092"),
                Duration.ofMillis(300), Duration.ofSeconds(10), now::get)) {
            assertThat(topics.answers()).as("whether the cluster answers").isFalse();
            assertThat(topics.answers()).isFalse();
            assertThat(admins).as("a new admin client tried at each question, once the name resolves too").hasValue(2);
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).as("cannot tell").isNull();
        }
    }

    /**
     * Asked why writes time out while no broker name resolves, the cluster gives no answer: the send's question must
     * not throw, as it did, failing the attempt while the producer still held its record (sent again by the retry).
     */
    @Test
    void aTopicsTroubleAskedOfAClusterWhoseNameDoesNotResolveIsNoAnswer() throws Exception {
        try (ClusterTopics topics = new ClusterTopics(() -> counted("no-such-broker.invalid:9092"),
                Duration.ofMillis(300), Duration.ofSeconds(10), now::get)) {
            assertThat(topics.trouble("orders", true, "User:alice")).as("no answer").isNull();
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).as("not asked again at once").isNull();
            assertThat(admins).hasValue(1);
        }
    }

    @Test
    void aClosedCheckAsksNothing() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        ClusterTopics topics = new ClusterTopics(() -> counted(nowhere));
        topics.close();

        assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isNull();
        assertThat(admins).hasValue(0);
    }

    /**
     * A cluster that describes "orders" (partition 0 on brokers 1 and 2, only 1 in sync) and gives {@code minInsync}
     * as the topic's min.insync.replicas: the admin client's own answer types, on a real client that asks nothing.
     */
    private Admin answering(String minInsync) throws IOException {
        Node b1 = new Node(1, "b1", 9092);
        TopicDescription orders = new TopicDescription("orders", false, List.of(new TopicPartitionInfo(0, b1,
                List.of(b1, new Node(2, "b2", 9092)), List.of(b1))));
        return new ForwardingAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + freePort())) {
            @Override
            public DescribeTopicsResult describeTopics(Collection<String> names, DescribeTopicsOptions options) {
                return new DescribeTopicsResult(null, Map.of("orders", KafkaFuture.completedFuture(orders))) { };
            }

            @Override
            public DescribeConfigsResult describeConfigs(Collection<ConfigResource> resources,
                    DescribeConfigsOptions options) {
                Config config = new Config(List.of(new ConfigEntry("min.insync.replicas", minInsync)));
                return new DescribeConfigsResult(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "orders"),
                        KafkaFuture.completedFuture(config))) { };
            }
        };
    }

    /** A min.insync.replicas that is no number is what the cluster answered: it was read as no answer at all. */
    @Test
    void aMinInsyncReplicasThatIsNoNumberIsSaidAsTheClusterGaveIt() throws Exception {
        try (ClusterTopics topics = new ClusterTopics(() -> {
            try {
                return answering("two");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        })) {
            TopicTrouble trouble = topics.trouble("orders", true, "User:alice");

            assertThat(trouble).as("an answer").isNotNull();
            assertThat(trouble.describe()).isEqualTo("partition 0 has 1 of its 2 replicas in sync (replicas on brokers "
                    + "1,2, in sync: 1); min.insync.replicas could not be read: the cluster gave 'two', not a number");
            assertThat(trouble.fix()).endsWith("or lower the topic's min.insync.replicas; kafka-configs.sh --describe "
                    + "--entity-type topics --entity-name orders shows it");
        }
    }

    /**
     * The stop closes the admin client while a send asks why its writes time out (a cluster that does not answer):
     * the question was ended by the stop, which is no "gave no answer" for the log to warn of and the letter to say.
     */
    @Test
    void aQuestionTheStopEndsIsNoAnswerFromTheCluster() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        ClusterTopics topics = new ClusterTopics(() -> counted(nowhere), ClusterTopics.ASK_TIMEOUT,
                Duration.ofSeconds(10), now::get);
        AtomicReference<Object> ended = new AtomicReference<>();
        Thread send = Thread.ofVirtual().start(() -> {
            try {
                ended.set(String.valueOf(topics.trouble("orders", true, "User:alice")));
            } catch (InterruptedException e) {
                ended.set(e);
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (questions.get() == 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        topics.close();

        assertThat(send.join(Duration.ofSeconds(30))).isTrue();
        assertThat(ended.get()).isInstanceOfSatisfying(InterruptedException.class, e -> assertThat(e.getMessage())
                .isEqualTo("the question about kafka topic 'orders' was ended by the stop"));
        assertThatThrownBy(() -> topics.trouble("orders", true, "User:alice")).as("asked after the stop")
                .isInstanceOf(InterruptedException.class);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
