package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void aClosedCheckAsksNothing() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        ClusterTopics topics = new ClusterTopics(() -> counted(nowhere));
        topics.close();

        assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isNull();
        assertThat(admins).hasValue(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
