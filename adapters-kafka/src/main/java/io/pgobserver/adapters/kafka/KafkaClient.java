package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.spi.Lifecycle;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;

/**
 * The one producer every kafka action shares (a producer is thread-safe, and one batches best), started after the
 * injector is built and closed at shutdown without waiting for what it still holds ({@link #CLOSE_TIMEOUT}). Also
 * answers whether a topic exists ({@link ClusterTopics}, whose admin client is closed with the producer): a producer
 * waiting for a missing topic's metadata cannot tell that from an unreachable cluster.
 */
@Singleton
final class KafkaClient implements Lifecycle {

    /**
     * None: nothing waits for what the producer still holds when it is closed. Every send waits for its broker's
     * acknowledgement, so a record not acknowledged by then belongs to an event the stop interrupted, which is not
     * done and which the consumer's next holder sends again. Waiting to flush it would keep a stop during a broker
     * outage past {@code --shutdown-timeout} by as long as the wait, the place already released, and a broker back
     * meanwhile would take the record late, behind the next holder's records of the same key.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ZERO;

    private final KafkaSettings settings;
    private volatile Producer<byte[], byte[]> producer;
    private volatile ClusterTopics topics;
    /** Removes {@link ReconnectWarnings} at the stop, when it was installed. */
    private volatile Runnable restoreReconnectWarnings = () -> { };

    @Inject
    KafkaClient(KafkaSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "kafka producer";
    }

    @Override
    public int order() {
        return ORDER_ACTIONS;
    }

    @Override
    public void start() {
        if (settings.configured()) {
            if (logbackLogs()) {
                restoreReconnectWarnings = ReconnectWarnings.install(List.of(settings.clientId(), adminClientId()));
            }
            producer = new KafkaProducer<>(settings.producerProperties());
            topics = new ClusterTopics(() -> Admin.create(adminProperties()));
        }
    }

    /** Hands the record to the producer; the future completes when the broker acknowledges it or gives up. */
    Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
        Producer<byte[], byte[]> p = producer;
        if (p == null) {
            throw new IllegalStateException("the kafka producer is not running (set kafka.bootstrap_servers)");
        }
        return p.send(record);
    }

    /** True or false when the cluster answered within {@code within}, null when it could not be asked. */
    Boolean topicExists(String topic, Duration within) throws InterruptedException {
        ClusterTopics t = topics;
        return t == null ? null : t.exists(topic, within);
    }

    /**
     * What keeps writes to the topic from completing ({@link ClusterTopics#trouble}); null for no answer. Asked by a
     * send, which has a producer: without the cluster's client, the stop has closed both.
     */
    TopicTrouble topicTrouble(String topic) throws InterruptedException {
        ClusterTopics t = topics;
        if (t == null) {
            throw ClusterTopics.stopped(topic);
        }
        return t.trouble(topic, settings.acksAll(), settings.principal());
    }

    /** Whether the cluster answers ({@link ClusterTopics#answers}); null when it could not be asked. */
    Boolean clusterAnswers() throws InterruptedException {
        ClusterTopics t = topics;
        return t == null ? null : t.answers();
    }

    /** The producer's connection settings (SASL, SSL); its producer-only keys would only be logged as unknown. */
    private Properties adminProperties() {
        Properties props = new Properties();
        settings.producerProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains((String) k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, adminClientId());
        return props;
    }

    private String adminClientId() {
        return settings.clientId() + "-admin";
    }

    /**
     * Whether Logback logs: the product's backend, and what {@link ReconnectWarnings} needs (without it, as under a
     * library user's own backend, Kafka's lines show as it logs them). Checked by name, so that this class loads
     * without Logback.
     */
    private static boolean logbackLogs() {
        return LoggerFactory.getILoggerFactory().getClass().getName().equals("ch.qos.logback.classic.LoggerContext");
    }

    @Override
    public void stop() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        ClusterTopics t = topics;
        topics = null;
        if (t != null) {
            t.close();
        }
        if (p != null) {
            p.close(CLOSE_TIMEOUT);
        }
        restoreReconnectWarnings.run();
        restoreReconnectWarnings = () -> { };
    }
}
