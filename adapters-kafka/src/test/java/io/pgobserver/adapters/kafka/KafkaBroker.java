package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.testing.FreePorts;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker for tests: one KRaft node that is both broker and controller, in the test's JVM, on
 * loopback ports chosen once, with its log on disk. {@link #stop()} and {@link #start()} take it down and bring it
 * back on the same ports and log, as a restarted broker process would be; clients reconnect by themselves.
 * Topics are created explicitly ({@code auto.create.topics.enable=false}), so a missing topic stays missing.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final int saslPort;
    private final String clusterId;
    /** 1: the node that is broker and controller; 2 and on: brokers of its cluster ({@link #addBroker}). */
    private final int nodeId;
    private KafkaRaftServer server;

    private KafkaBroker(Path dir, int port, int controllerPort, int saslPort, String clusterId, int nodeId) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.saslPort = saslPort;
        this.clusterId = clusterId;
        this.nodeId = nodeId;
    }

    /** Formats a fresh log directory and starts the node. */
    public static KafkaBroker start(Path dir) {
        KafkaBroker broker = new KafkaBroker(dir, freePort(), freePort(), freePort(), Uuid.randomUuid().toString(), 1);
        broker.format();
        broker.start();
        return broker;
    }

    /**
     * A second broker of this one's cluster (node 2, a broker only, plaintext), with its own log under {@code dir}:
     * for replicas on two brokers, and for what the cluster says when one of them stops while this one answers.
     */
    public KafkaBroker addBroker(Path dir) {
        KafkaBroker broker = new KafkaBroker(dir, freePort(), controllerPort, freePort(), clusterId, 2);
        broker.format();
        broker.start();
        return broker;
    }

    public int nodeId() {
        return nodeId;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SASL/PLAIN listener (user {@value #USER}, password {@value #PASSWORD}), where ACLs apply. */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    /** The user of {@link #saslBootstrapServers()}: no ACL at first, so it may do nothing. */
    public static final String USER = "alice";
    public static final String PASSWORD = "alice-secret";

    private Map<String, Object> config() {
        if (nodeId != 1) {
            return Map.of("process.roles", "broker", "node.id", Integer.toString(nodeId),
                    "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
                    "listeners", "PLAINTEXT://127.0.0.1:" + port, "advertised.listeners", "PLAINTEXT://127.0.0.1:" + port,
                    "controller.listener.names", "CONTROLLER", "inter.broker.listener.name", "PLAINTEXT",
                    "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs", dir.resolve("log").toString(), "num.io.threads", "2");
        }
        return Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                        + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port
                        + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map",
                        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT"),
                // ACLs apply to the SASL listener's users; the plaintext listeners (the tests, the controller) are
                // ANONYMOUS, a super user, so they may do everything as before.
                Map.entry("sasl.enabled.mechanisms", "PLAIN"),
                Map.entry("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\""
                                + PASSWORD + "\";"),
                Map.entry("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                Map.entry("super.users", "User:ANONYMOUS"),
                Map.entry("log.dirs", dir.resolve("log").toString()),
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "3"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("num.network.threads", "2"),
                Map.entry("num.io.threads", "2"));
    }

    private void format() {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("server.properties");
            Properties props = new Properties();
            config().forEach((k, v) -> props.setProperty(k, v.toString()));
            try (var out = Files.newOutputStream(file)) {
                props.store(out, "test broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exit = StorageTool$.MODULE$.execute(new String[]{"format", "-t", clusterId,
                    "-c", file.toString()}, new PrintStream(output, true, StandardCharsets.UTF_8));
            if (exit != 0) {
                throw new IllegalStateException("formatting the test broker's log failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the node (again) on its ports and log. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        server = new KafkaRaftServer(KafkaConfig.fromProps(toProperties()), Time.SYSTEM);
        server.startup();
    }

    /** Stops the node as a broker shutdown does; its log stays for {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    private Properties toProperties() {
        Properties props = new Properties();
        config().forEach((k, v) -> props.setProperty(k, v.toString()));
        return props;
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** An admin client of this broker (for tests that alter topics). */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() {
        stop();
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // The temporary folder is best effort.
        }
    }

    private static int freePort() { // all three before the node binds any: see FreePorts
        return FreePorts.take();
    }
}
