package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.port.PreparedActions;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Span;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.Tracer;
import io.pgobserver.templates.Templates;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Sends the event JSON ({@link EventBody}, the webhook's body), or the configured value, as one record
 * ({@link RecordTemplates}): the topic and key rendered from their templates (the key defaults to the entity id, so
 * one row's changes share a partition and keep their order), the configured headers, {@value KafkaAction#DELIVERY_ID_HEADER} (stable across retries and
 * redeliveries, for consumers to de-duplicate by) and the W3C {@code traceparent}/{@code tracestate} of a
 * PRODUCER span {@code send <topic>}, a child of the core's {@code execute_action}, so a consumer continues the
 * writer's trace. Done when the broker acknowledges the record ({@code acks=all} by default). Also a {@link Lifecycle}:
 * after the producer it starts the {@link ClusterWatch} over the cluster's outages, and stops it first.
 */
@Singleton
final class KafkaExecutor implements ActionExecutor, Lifecycle {

    static final String TYPE = "kafka";

    private static final Duration MIN_METADATA_WAIT = Duration.ofSeconds(1);
    /** How often a send waiting for its acknowledgement checks whether the cluster has gone out of reach. */
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    /** Past {@code delivery.timeout.ms}: the producer completes every record by then; this only guards a bug. */
    private static final Duration ACK_GUARD = Duration.ofSeconds(30);

    private final KafkaSettings settings;
    private final KafkaClient client;
    private final Tracer tracer;
    private final Acknowledgements acknowledgements;
    private final OutageLog outage;
    private final ClusterWatch watch;
    private final Duration deliveryTimeout;
    private final Duration metadataWait;
    private final SendFailures failures;
    private final WriteStalls stalls;
    private volatile boolean sendsTo; // set when an action of the type is prepared: only then is the cluster watched
    private final PreparedActions<KafkaAction, RecordTemplates> prepared =
            new PreparedActions<>(KafkaAction.class, this::prepare);

    @Inject
    KafkaExecutor(KafkaSettings settings, KafkaClient client, Tracer tracer) {
        this(settings, client, tracer, new Acknowledgements(System::nanoTime));
    }

    KafkaExecutor(KafkaSettings settings, KafkaClient client, Tracer tracer, Acknowledgements acknowledgements) {
        this(settings, client, tracer, acknowledgements, ClusterWatch.EVERY);
    }

    KafkaExecutor(KafkaSettings settings, KafkaClient client, Tracer tracer, Acknowledgements acknowledgements,
                  Duration watchEvery) {
        this.settings = settings;
        this.client = client;
        this.tracer = tracer;
        this.acknowledgements = acknowledgements;
        this.deliveryTimeout = settings.configured() ? settings.deliveryTimeout() : Duration.ZERO;
        this.metadataWait = settings.configured() ? settings.metadataWait() : Duration.ZERO;
        this.failures = new SendFailures(settings.principal());
        this.outage = new OutageLog(String.join(",", settings.bootstrapServers()), acknowledgements, deliveryTimeout);
        this.watch = new ClusterWatch(watchEvery, acknowledgements, outage, client::clusterAnswers, () -> sendsTo);
        this.stalls = new WriteStalls(client::topicTrouble, outage, acknowledgements::now, deliveryTimeout);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return "kafka cluster watch";
    }

    /** After the producer's ({@link KafkaClient}), so that it stops first: its question then says nothing. */
    @Override
    public int order() {
        return ORDER_ACTIONS + 1;
    }

    @Override
    public void start() {
        if (settings.configured()) {
            watch.start();
        }
    }

    @Override
    public void stop() {
        watch.stop();
    }

    @Override
    public void validate(ActionSpec action) {
        prepared.get(action);
    }

    private RecordTemplates prepare(KafkaAction action) {
        if (!settings.configured()) {
            throw new IllegalArgumentException("kafka actions need the cluster: set kafka.bootstrap_servers "
                    + "(e.g. localhost:9092)");
        }
        sendsTo = true;
        return RecordTemplates.of(action);
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        String topic = null;
        ProducerRecord<byte[], byte[]> record;
        try {
            RecordTemplates templates = prepared.get(request.action());
            Map<String, Object> context = request.templateContext();
            topic = templates.topic().render(context);
            Topic.validate(topic);
            record = templates.record(topic, request, context);
        } catch (Templates.TemplateException | IllegalArgumentException e) {
            return ActionResult.Failure.permanentFailure(e.getMessage(), e); // it names the action's template
        } catch (InvalidTopicException e) {
            return SendFailures.invalidTopic(request.action().describe(), topic, e);
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
                    .setAttribute("messaging.message.body.size", record.value() == null ? 0 : record.value().length);
            if (record.value() == null) {
                send.setAttribute("messaging.kafka.message.tombstone", true);
            }
        }
        send.propagate(request.event().traceContext(),
                (name, value) -> record.headers().add(name, RecordTemplates.utf8(value)));
        ActionResult result = send(record, request.deliveryId(), send);
        if (result instanceof ActionResult.Failure failure) {
            send.recordError(failure.message(), failure.cause());
        }
        send.end();
        return result;
    }

    @Override
    public String problem() {
        // Readiness is asked while every record waits out its backoff, when no send is there to check.
        outage.checkUnlessSending();
        String answered = outage.answeredProblem(); // the cluster answers: it is not out of reach
        return answered != null ? answered : acknowledgements.problem(String.join(",", settings.bootstrapServers()));
    }

    private ActionResult send(ProducerRecord<byte[], byte[]> record, String deliveryId, Span send) {
        acknowledgements.sending(deliveryId);
        ActionResult result = null;
        try {
            result = sendAndWait(record, send);
            return result;
        } finally {
            if (result instanceof ActionResult.Success) {
                acknowledgements.acknowledged();
                outage.acknowledged();
            } else if (result instanceof ActionResult.Failure f && !f.permanent()
                    && !Thread.currentThread().isInterrupted()) {
                acknowledgements.retrying(deliveryId);
            } else {
                acknowledgements.dropped();
            }
        }
    }

    /**
     * Sends the record and waits for the broker's answer. A cluster out of reach is waited for within the attempt,
     * up to {@code delivery.timeout.ms}, as the producer waits for a record it has accepted: the producer gives up
     * on a topic's metadata after {@code max.block.ms} (10 s, so a missing topic is reported soon), and failing the
     * attempt then would spend the observer's retry budget on an outage in a minute or two. Only the cluster's own
     * answer that the topic does not exist ends the wait early. No wait for metadata, nor question to the cluster,
     * is begun that could end past {@code delivery.timeout.ms} (a question gets a second at least, so that a
     * missing topic is still told); a record the producer has accepted is waited for as the producer keeps it.
     * Blocking is cheap (a virtual thread runs the send); a stop interrupts it. While it waits, it checks every
     * second or so whether the cluster is out of reach or answers but times the writes out ({@link WriteStalls}), so
     * that the log says which while it lasts, and a failure's letter says it too.
     */
    private ActionResult sendAndWait(ProducerRecord<byte[], byte[]> record, Span send) {
        String topic = record.topic();
        long deadline = System.nanoTime() + deliveryTimeout.toNanos();
        try {
            while (true) {
                long began = System.nanoTime();
                try {
                    RecordMetadata ack = acknowledgement(client.send(record), topic);
                    if (send.isRecording()) {
                        send.setAttribute("messaging.destination.partition.id", Integer.toString(ack.partition()))
                                .setAttribute("messaging.kafka.offset", ack.offset());
                    }
                    return ActionResult.success("partition " + ack.partition() + " offset " + ack.offset());
                } catch (ExecutionException | RuntimeException e) {
                    if (SendFailures.unwrap(e) instanceof InterruptException interrupt) {
                        return interrupted(topic, interrupt);
                    }
                    if (!SendFailures.metadataTimeout(e)) {
                        return stalls.explain(failures.classify(record, e), e, topic);
                    }
                    // Before asking the cluster, which may take seconds to go unanswered.
                    outage.check();
                    long left = Math.max(deadline - System.nanoTime(), MIN_METADATA_WAIT.toNanos());
                    if (Boolean.FALSE.equals(client.topicExists(topic, Duration.ofNanos(left)))) {
                        return SendFailures.missingTopic(topic, SendFailures.unwrap(e));
                    }
                    long nextEnds = Math.max(began + MIN_METADATA_WAIT.toNanos(), System.nanoTime())
                            + metadataWait.toNanos();
                    if (nextEnds - deadline > 0) {
                        return SendFailures.transientFailure("kafka topic '" + topic + "': no metadata for "
                                + "it within delivery.timeout.ms (" + deliveryTimeout.toMillis() + " ms); is the "
                                + "cluster reachable?", SendFailures.unwrap(e));
                    }
                    // Even with a max.block.ms of 0, the wait must not turn into a busy loop.
                    TimeUnit.NANOSECONDS.sleep(MIN_METADATA_WAIT.toNanos() - (System.nanoTime() - began));
                }
            }
        } catch (InterruptedException e) {
            return interrupted(topic, e);
        } catch (java.util.concurrent.TimeoutException e) {
            return ActionResult.Failure.transientFailure("kafka topic '" + topic + "': no acknowledgement within "
                    + deliveryTimeout.plus(ACK_GUARD).toMillis() + " ms", e);
        }
    }

    /** The broker's answer to a record, checking every {@link #CHECK_EVERY} meanwhile why it is not there yet. */
    private RecordMetadata acknowledgement(Future<RecordMetadata> answer, String topic)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + deliveryTimeout.plus(ACK_GUARD).toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return answer.get(Math.max(0, Math.min(left, CHECK_EVERY.toNanos())), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (left <= CHECK_EVERY.toNanos()) {
                    throw e;
                }
                stalls.waiting(topic);
            }
        }
    }

    /**
     * A stop, or parking, took the event away while it was being sent: pg-observer's own doing, not the cluster's.
     * The interrupt stays set for the core to see, and the failure says what happened (the executor's contract
     * has no other way out); its error type is the JDK's interruption, not a Kafka error.
     */
    private static ActionResult interrupted(String topic, Throwable e) {
        Thread.currentThread().interrupt();
        Throwable cause = e instanceof InterruptException && e.getCause() != null ? e.getCause() : e;
        return ActionResult.Failure.transientFailure("kafka topic '" + topic + "': the send was interrupted (the "
                + "observer is stopping or parked the entity); not a Kafka error, the event runs again", cause);
    }

}
