package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.port.PreparedActions;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;
import io.pgobserver.templates.Templates;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.internals.Topic;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the event JSON ({@link EventBody}, the webhook's body) as one record: the topic and key rendered from
 * their templates (the key defaults to the entity id, so one row's changes share a partition and keep their
 * order), the configured headers, {@value KafkaAction#DELIVERY_ID_HEADER} (stable across retries and
 * redeliveries, for consumers to de-duplicate by) and the W3C {@code traceparent}/{@code tracestate} of a
 * PRODUCER span {@code send <topic>}, a child of the core's {@code execute_action}, so a consumer continues the
 * writer's trace. Done when the broker acknowledges the record ({@code acks=all} by default).
 */
@Singleton
final class KafkaExecutor implements ActionExecutor {

    static final String TYPE = "kafka";

    private final KafkaSettings settings;
    private final KafkaClient client;
    private final Tracer tracer;
    private final PreparedActions<KafkaAction, Prepared> prepared =
            new PreparedActions<>(KafkaAction.class, this::prepare);

    @Inject
    KafkaExecutor(KafkaSettings settings, KafkaClient client, Tracer tracer) {
        this.settings = settings;
        this.client = client;
        this.tracer = tracer;
    }

    /** An action's templates, compiled once. */
    private record Prepared(Templates.Template topic, Templates.Template key, Map<String, Templates.Template> headers) {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(ActionSpec action) {
        prepared.get(action);
    }

    private Prepared prepare(KafkaAction action) {
        if (!settings.configured()) {
            throw new IllegalArgumentException("kafka actions need the cluster: set kafka.bootstrap_servers "
                    + "(e.g. localhost:9092)");
        }
        Map<String, Templates.Template> headers = new LinkedHashMap<>();
        action.headers().forEach((name, value) -> headers.put(name,
                Templates.text("kafka header '" + name + "'", value == null ? "" : value)));
        return new Prepared(Templates.text("kafka topic template", action.topic()),
                action.key() == null ? null : Templates.text("kafka key template", action.key()), headers);
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        String topic;
        ProducerRecord<byte[], byte[]> record;
        try {
            Prepared p = prepared.get(request.action());
            Map<String, Object> context = request.templateContext();
            topic = p.topic().render(context);
            Topic.validate(topic);
            String key = p.key() == null ? request.event().entityId() : p.key().render(context);
            RecordHeaders headers = new RecordHeaders();
            for (Map.Entry<String, Templates.Template> header : p.headers().entrySet()) {
                headers.add(header.getKey(), utf8(header.getValue().render(context)));
            }
            headers.add(KafkaAction.DELIVERY_ID_HEADER, utf8(request.deliveryId()));
            record = new ProducerRecord<>(topic, null, utf8(key), EventBody.json(request), headers);
        } catch (Templates.TemplateException | IllegalArgumentException | InvalidTopicException e) {
            return ActionResult.Failure.permanentFailure(request.action().describe() + ": " + e.getMessage(), e);
        }
        Span send = tracer.startSpan("send " + topic, span, SpanKind.PRODUCER, Tracer.Component.EXECUTOR);
        if (span.isRecording()) {
            span.setAttribute("messaging.destination.name", topic);
        }
        if (send.isRecording()) {
            send.setAttribute("messaging.system", "kafka")
                    .setAttribute("messaging.operation.type", "send")
                    .setAttribute("messaging.operation.name", "send")
                    .setAttribute("messaging.destination.name", topic)
                    .setAttribute("messaging.kafka.message.key", new String(record.key(), StandardCharsets.UTF_8))
                    .setAttribute("messaging.client.id", settings.clientId())
                    .setAttribute("messaging.message.body.size", record.value().length);
        }
        send.propagate(request.event().traceContext(), (name, value) -> record.headers().add(name, utf8(value)));
        ActionResult result = send(topic, record, send);
        if (result instanceof ActionResult.Failure failure) {
            send.recordError(failure.message(), failure.cause());
        }
        send.end();
        return result;
    }

    /**
     * Records waiting for the broker's acknowledgement, and when the last one arrived (or the wait began): the producer
     * retries a record for up to delivery.timeout.ms, so during an outage no attempt fails for a long time, and this
     * is how readiness learns of it.
     */
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private volatile long progressNanos = System.nanoTime();

    /** How long records may go unacknowledged before readiness says so. */
    static final Duration SILENT_FOR = Duration.ofSeconds(5);

    @Override
    public String problem() {
        long silentNanos = System.nanoTime() - progressNanos;
        if (unacknowledged.get() > 0 && silentNanos >= SILENT_FOR.toNanos()) {
            return "Kafka at " + String.join(",", settings.bootstrapServers()) + " has acknowledged no record for "
                    + Duration.ofNanos(silentNanos).toSeconds() + " s (" + unacknowledged.get()
                    + " waiting; is the cluster reachable?); they are retried and none is lost";
        }
        return null;
    }

    private ActionResult send(String topic, ProducerRecord<byte[], byte[]> record, Span send) {
        if (unacknowledged.getAndIncrement() == 0) {
            progressNanos = System.nanoTime();
        }
        try {
            return sendAndWait(topic, record, send);
        } finally {
            unacknowledged.decrementAndGet();
            progressNanos = System.nanoTime();
        }
    }

    private ActionResult sendAndWait(String topic, ProducerRecord<byte[], byte[]> record, Span send) {
        try {
            // The producer completes every record within delivery.timeout.ms; the bound only guards a bug.
            RecordMetadata ack = client.send(record).get(deliveryBoundMillis(), TimeUnit.MILLISECONDS);
            if (send.isRecording()) {
                send.setAttribute("messaging.destination.partition.id", Integer.toString(ack.partition()))
                        .setAttribute("messaging.kafka.offset", ack.offset());
            }
            return ActionResult.success("partition " + ack.partition() + " offset " + ack.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ActionResult.Failure.transientFailure("kafka topic '" + topic + "': interrupted while waiting "
                    + "for the acknowledgement", e);
        } catch (ExecutionException | RuntimeException e) {
            return SendFailures.classify(topic, e, client::topicExists);
        } catch (java.util.concurrent.TimeoutException e) {
            return ActionResult.Failure.transientFailure("kafka topic '" + topic + "': no acknowledgement within "
                    + deliveryBoundMillis() + " ms", e);
        }
    }

    private long deliveryBoundMillis() {
        Object timeout = settings.producerProperties().getOrDefault("delivery.timeout.ms", "120000");
        return Long.parseLong(timeout.toString().trim()) + 30_000;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
