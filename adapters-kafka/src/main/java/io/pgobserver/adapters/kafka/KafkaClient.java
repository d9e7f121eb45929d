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
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one producer every kafka action shares (a producer is thread-safe, and one batches best), started after the
 * injector is built and closed at shutdown, flushing what is in flight. Also answers whether a topic exists, with
 * an admin client made for the question and closed after it (the question is rare, and an idle admin client keeps
 * reconnecting while the cluster is down): a producer waiting for a missing topic's metadata cannot tell that from
 * an unreachable cluster.
 */
@Singleton
final class KafkaClient implements Lifecycle {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaSettings settings;
    private volatile Producer<byte[], byte[]> producer;

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
        Admin admin;
        try {
            admin = Admin.create(adminProperties());
        } catch (RuntimeException e) {
            return null;
        }
        try {
            admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TOPIC_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return e.getCause() instanceof UnknownTopicOrPartitionException ? false : null;
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            return null;
        } finally {
            admin.close(CLOSE_TIMEOUT);
        }
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
        if (p != null) {
            p.close(CLOSE_TIMEOUT);
        }
    }
}
