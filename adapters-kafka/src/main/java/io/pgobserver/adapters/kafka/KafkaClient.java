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

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Future;

/**
 * The one producer every kafka action shares (a producer is thread-safe, and one batches best), started after the
 * injector is built and closed at shutdown, flushing what is in flight. Also answers whether a topic exists
 * ({@link ClusterTopics}, whose admin client is closed with the producer): a producer waiting for a missing topic's
 * metadata cannot tell that from an unreachable cluster.
 */
@Singleton
final class KafkaClient implements Lifecycle {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    private volatile Producer<byte[], byte[]> producer;
    private volatile ClusterTopics topics;

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

    /** True or false when the cluster answered, null when it could not be asked. */
    Boolean topicExists(String topic) throws InterruptedException {
        ClusterTopics t = topics;
        return t == null ? null : t.exists(topic);
    }

    /** The producer's connection settings (SASL, SSL); its producer-only keys would only be logged as unknown. */
    private Properties adminProperties() {
        Properties props = new Properties();
        settings.producerProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains((String) k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-admin");
        return props;
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
    }
}
