package io.pgobserver.adapters.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.EventBody;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.testing.RecordingTracer;
import io.pgobserver.domain.testing.TestSpans;
import io.pgobserver.domain.trace.SpanKind;
import io.pgobserver.domain.trace.TraceContext;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The executor against a real broker (KRaft, in this JVM): what a record carries, which failures are permanent,
 * and a broker that comes back.
 */
class KafkaExecutorIT {

    private static final TraceContext WRITER = TraceContext.of("4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7", true);

    @TempDir
    static Path dir;
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(dir.resolve("broker"));
        broker.createTopic("orders", 3);
        broker.createTopic("small", 1);
        try (var admin = broker.admin()) {
            ConfigResource small = new ConfigResource(ConfigResource.Type.TOPIC, "small");
            admin.incrementalAlterConfigs(Map.of(small, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "1024"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Harness harness(Map<String, String> properties) throws Exception {
        return harness(properties, new Acknowledgements(System::nanoTime));
    }

    private static Harness harness(Map<String, String> properties, Acknowledgements acknowledgements) {
        return harness(properties, acknowledgements, ClusterWatch.EVERY);
    }

    /** The executor's watch ({@link ClusterWatch}) is started only when a case starts the executor itself. */
    private static Harness harness(Map<String, String> properties, Acknowledgements acknowledgements,
                                   Duration watchEvery) {
        return harness(new KafkaSettings(List.of(broker.bootstrapServers()), "executor-it", properties),
                acknowledgements, watchEvery);
    }

    private static Harness harness(KafkaSettings settings, Acknowledgements acknowledgements, Duration watchEvery) {
        KafkaClient client = new KafkaClient(settings);
        client.start();
        RecordingTracer tracer = new RecordingTracer();
        return new Harness(client, tracer, new KafkaExecutor(settings, client, tracer, acknowledgements, watchEvery));
    }

    /**
     * Fails on the metadata of a topic the producer has not seen within 1 s, gives up a record after 4 s, and tries
     * to reconnect every 200 ms at most, so that a case's outage costs seconds and a broker back is reconnected before
     * a busy machine could run out the next attempt's wait (at a backoff of 10 s it did: CI run 44).
     */
    private static final Map<String, String> SHORT_WAITS = Map.of("max.block.ms", "1000",
            "request.timeout.ms", "1000", "delivery.timeout.ms", "4000", "linger.ms", "0",
            "reconnect.backoff.max.ms", "200");

    private record Harness(KafkaClient client, RecordingTracer tracer, KafkaExecutor executor)
            implements AutoCloseable {
        ActionResult run(KafkaAction action, ChangeEvent event) {
            executor.validate(action);
            return executor.execute(new ActionRequest(event, "shipped", action, 0, 1, "delivery-" + event.id()),
                    TestSpans.actionSpan(tracer, WRITER));
        }

        @Override
        public void close() {
            executor.stop();
            client.stop();
        }
    }

    @Test
    void sendsTheWebhookBodyKeyedByTheEntityWithTheDeliveryIdAndTheSendSpansContext() throws Exception {
        ChangeEvent event = Events.event(11, "42", ChangeKind.UPDATED, Map.of("id", 42, "status", "new"),
                Map.of("id", 42, "status", "shipped"));
        KafkaAction action = new KafkaAction("orders", null, Map.of("source", "{{event.entity_type}}"));
        try (Harness h = harness(Map.of())) {
            ActionResult result = h.run(action, event);

            assertThat(result).isInstanceOf(ActionResult.Success.class);
            ConsumerRecord<byte[], byte[]> record = readAll("orders", 1).getFirst();
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("42");
            assertThat(record.value()).isEqualTo(EventBody.json(new ActionRequest(event, "shipped", action, 0, 1,
                    "delivery-" + event.id())));
            assertThat(header(record, "pgobserver-delivery-id")).isEqualTo("delivery-" + event.id());
            assertThat(header(record, "source")).isEqualTo("public.orders");

            RecordingTracer.RecordedSpan send = h.tracer().named("send orders").getFirst();
            assertThat(send.kind).isEqualTo(SpanKind.PRODUCER);
            assertThat(send.parent.name).isEqualTo("execute_action");
            assertThat(send.traceId).isEqualTo(WRITER.traceId());
            assertThat(header(record, "traceparent")).isEqualTo(send.context().traceparent());
            assertThat(send.attributes()).containsEntry("messaging.system", "kafka")
                    .containsEntry("messaging.destination.name", "orders")
                    .containsEntry("messaging.kafka.message.key", "42")
                    .containsEntry("messaging.destination.partition.id", Integer.toString(record.partition()))
                    .containsEntry("messaging.kafka.offset", record.offset());
            assertThat(send.isEnded()).isTrue();
        }
    }

    @Test
    void rendersTopicAndKeyTemplates() throws Exception {
        broker.createTopic("orders.created", 1);
        ChangeEvent event = Events.event(12, "7", ChangeKind.CREATED, Map.of(), Map.of("customer", "c-9"));
        try (Harness h = harness(Map.of())) {
            assertThat(h.run(new KafkaAction("orders.{{event.kind}}", "{{after.customer}}", Map.of()), event))
                    .isInstanceOf(ActionResult.Success.class);
            assertThat(new String(readAll("orders.created", 1).getFirst().key(), StandardCharsets.UTF_8))
                    .isEqualTo("c-9");
        }
    }

    /**
     * A configured value: the row alone, as Debezium's new-record-state extraction sends it, into a topic keyed by the
     * row; a deleted row is a tombstone, which log compaction takes as the row's deletion.
     */
    @Test
    void aValueShapeSendsTheRowAloneAndADeletedRowAsATombstone() throws Exception {
        broker.createTopic("customers", 1);
        KafkaAction action = new KafkaAction("customers", null, Map.of(), "{{after}}");
        Map<String, Object> bea = new LinkedHashMap<>();
        bea.put("id", 5);
        bea.put("name", "Bea \"B\"");
        ChangeEvent written = Events.event(18, "5", ChangeKind.UPDATED, Map.of("id", 5, "name", "Ann"), bea);
        ChangeEvent deleted = Events.event(19, "5", ChangeKind.DELETED, bea, Map.of());
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("customer", "{{event.entity_id}}");
        shape.put("was", "{{before.name}}");
        shape.put("deleted", true);
        KafkaAction shaped = new KafkaAction("customers", null, Map.of(), shape);
        try (Harness h = harness(Map.of())) {
            assertThat(h.run(action, written)).isInstanceOf(ActionResult.Success.class);
            assertThat(h.run(action, deleted)).isInstanceOf(ActionResult.Success.class);
            assertThat(h.run(shaped, deleted)).isInstanceOf(ActionResult.Success.class);
            List<ConsumerRecord<byte[], byte[]>> records = readAll("customers", 3);

            assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("5");
            assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"id\":5,\"name\":\"Bea \\\"B\\\"\"}");
            assertThat(new String(records.get(1).key(), StandardCharsets.UTF_8)).isEqualTo("5");
            assertThat(records.get(1).value()).as("a tombstone").isNull();
            assertThat(header(records.get(1), "pgobserver-delivery-id")).isEqualTo("delivery-" + deleted.id());
            assertThat(new String(records.get(2).value(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"customer\":\"5\",\"was\":\"Bea \\\"B\\\"\",\"deleted\":true}");
            assertThat(h.tracer().named("send customers").get(1).attributes())
                    .containsEntry("messaging.message.body.size", 0L)
                    .containsEntry("messaging.kafka.message.tombstone", true);
            assertThat(h.tracer().named("send customers").get(0).attributes())
                    .doesNotContainKey("messaging.kafka.message.tombstone");
        }
    }

    @Test
    void headerTemplatesFollowTheRulesOfTheOtherActions() throws Exception {
        broker.createTopic("regions", 1);
        String region = "{{#after.region}}{{after.region}}{{/after.region}}{{^after.region}}none{{/after.region}}";
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("region", "");
        row.put("count", 0);
        ChangeEvent event = Events.event(17, "8", ChangeKind.CREATED, Map.of(), row);
        try (Harness h = harness(Map.of())) {
            // An empty string and a zero are false in a section, as in Slack texts and email bodies.
            assertThat(h.run(new KafkaAction("regions", null, Map.of("region", region,
                    "count", "{{#after.count}}some{{/after.count}}{{^after.count}}zero{{/after.count}}")), event))
                    .isInstanceOf(ActionResult.Success.class);
            ConsumerRecord<byte[], byte[]> record = readAll("regions", 1).getFirst();
            assertThat(new String(record.headers().lastHeader("region").value(), StandardCharsets.UTF_8))
                    .isEqualTo("none");
            assertThat(new String(record.headers().lastHeader("count").value(), StandardCharsets.UTF_8))
                    .isEqualTo("zero");
        }
    }

    @Test
    void aMissingTopicIsPermanentAndSaysSo() throws Exception {
        ChangeEvent event = Events.updated(13, "1", "a", "b");
        try (Harness h = harness(Map.of("max.block.ms", "2000"))) {
            ActionResult result = h.run(new KafkaAction("no-such-topic", null, Map.of()), event);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                assertThat(f.message()).contains("'no-such-topic' does not exist");
                assertThat(f.errorType()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
            });
            assertThat(h.tracer().named("send no-such-topic").getFirst().error()).contains("does not exist");
        }
    }

    @Test
    void aRecordTooLargeForTheTopicIsPermanent() throws Exception {
        ChangeEvent event = Events.event(14, "1", ChangeKind.CREATED, Map.of(), Map.of("blob", "x".repeat(4096)));
        try (Harness h = harness(Map.of())) {
            ActionResult result = h.run(new KafkaAction("small", null, Map.of()), event);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                // The value alone is 4 kB and more: the size counts key and headers too.
                assertThat(f.message()).containsPattern("the record is 4\\d{3} bytes \\(key, value and headers\\)")
                        .contains("topic's max.message.bytes", "kafka.properties.max.request.size");
                assertThat(f.errorType()).isEqualTo("MESSAGE_TOO_LARGE");
            });
        }
    }

    @Test
    void anInvalidRenderedTopicIsPermanent() throws Exception {
        ChangeEvent event = Events.event(15, "1", ChangeKind.CREATED, Map.of(), Map.of("t", "a b"));
        try (Harness h = harness(Map.of())) {
            ActionResult result = h.run(new KafkaAction("{{after.t}}", null, Map.of()), event);

            assertThat(result).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).isTrue();
                assertThat(f.message()).startsWith("kafka {{after.t}}: topic 'a b' is not a valid topic name")
                        .contains("ASCII alphanumerics", "change the action's topic template");
            });
        }
    }

    /**
     * On the broker's SASL/PLAIN listener, where ACLs apply: a wrong password and a topic without an ACL are dead
     * letters naming the fix, and once the ACL is added the same producer sends (a refusal leaves it usable). A
     * cluster that refuses the login still answers ({@link ClusterWatch} logs no outage).
     */
    @Test
    void aRefusedLoginAndAMissingAclArePermanentAndNameTheFix() throws Exception {
        broker.createTopic("guarded", 1);
        ChangeEvent event = Events.updated(19, "1", "a", "b");
        KafkaAction action = new KafkaAction("guarded", null, Map.of());
        try (Harness h = harness(sasl("wrong"), new Acknowledgements(System::nanoTime), ClusterWatch.EVERY)) {
            assertThat(h.run(action, event)).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).as(f.message()).isTrue();
                assertThat(f.message()).contains("kafka refused the login", "sasl.jaas.config's username and password");
                assertThat(f.errorType()).isEqualTo("SASL_AUTHENTICATION_FAILED");
            });
            // The watch over outages asks this of an idle cluster: a refusal is an answer, not an outage to log.
            assertThat(h.client().clusterAnswers()).isTrue();
        }
        try (Harness h = harness(sasl(KafkaBroker.PASSWORD), new Acknowledgements(System::nanoTime),
                ClusterWatch.EVERY)) {
            assertThat(h.run(action, event)).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).as(f.message()).isTrue();
                assertThat(f.message()).contains("User:alice may not write to it", "kafka-acls.sh --add "
                        + "--allow-principal User:alice --operation Write --topic guarded");
                assertThat(f.errorType()).isEqualTo("TOPIC_AUTHORIZATION_FAILED");
            });
            // Asked why writes time out, a cluster that will not describe the topic still answers: no outage.
            assertThat(h.client().topicTrouble("guarded")).isNotNull().satisfies(t -> assertThat(t.describe())
                    .startsWith("the cluster would not describe the topic to pg-observer ("));
            try (var admin = broker.admin()) {
                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "guarded",
                        PatternType.LITERAL), new AccessControlEntry("User:" + KafkaBroker.USER, "*",
                        AclOperation.WRITE, AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
            }
            // The ACL reaches the broker's authorizer through the metadata log, a moment after it is created.
            ActionResult sent = h.run(action, event);
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                 !(sent instanceof ActionResult.Success) && System.nanoTime() < end; sent = h.run(action, event)) {
                Thread.sleep(100);
            }
            assertThat(sent).isInstanceOf(ActionResult.Success.class);
            // Write implies Describe, not DescribeConfigs: the partitions are described, min.insync.replicas refused.
            assertThat(h.client().topicTrouble("guarded")).isNotNull().satisfies(t -> {
                assertThat(t.describe()).startsWith("each of its 1 partitions has a leader and all its replicas in sync "
                        + "now; min.insync.replicas could not be read: the cluster refused User:alice DescribeConfigs "
                        + "on the topic (");
                assertThat(t.fix()).endsWith("kafka-acls.sh --add --allow-principal User:alice --operation "
                        + "DescribeConfigs --topic guarded");
            });
        }
    }

    private static KafkaSettings sasl(String password) {
        return new KafkaSettings(List.of(broker.saslBootstrapServers()), "executor-it", Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + KafkaBroker.USER
                        + "\" password=\"" + password + "\";"));
    }

    @Test
    void aStoppedBrokerIsATransientFailureAndTheNextAttemptAfterItsReturnSucceeds() throws Exception {
        broker.createTopic("outage", 1);
        ChangeEvent event = Events.updated(16, "5", "a", "b");
        KafkaAction action = new KafkaAction("outage", null, Map.of());
        // Short waits change neither way the outage attempt fails (its record expires, or the topic's metadata,
        // dropped as the broker stopped, does not come back; both transient), only how long it takes: the product's
        // max.block.ms alone held the metadata way 10 s, so the case took 22 s instead of 6 s.
        try (Harness h = harness(SHORT_WAITS)) {
            assertThat(h.run(action, event)).isInstanceOf(ActionResult.Success.class);
            ActionResult down = whileStopped(() -> h.run(action, event));
            assertThat(down).isInstanceOfSatisfying(ActionResult.Failure.class,
                    f -> assertThat(f.permanent()).as(f.message()).isFalse());
            assertThat(h.run(action, event)).isInstanceOf(ActionResult.Success.class);
            assertThat(readAll("outage", 2)).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    /**
     * And the log says the outage once each way (unreachable, reachable again), without Kafka's own lines per
     * reconnection attempt, which a broker down for 3 s with reconnect.backoff.max.ms at 200 ms wrote some 50 times;
     * nothing while the cluster was down and idle.
     */
    @Test
    void aClusterDownForLessThanTheDeliveryTimeoutCostsNoAttempt() throws Exception {
        broker.createTopic("brief-outage", 1);
        ChangeEvent event = Events.updated(18, "6", "a", "b");
        Map<String, String> props = new HashMap<>(SHORT_WAITS);
        props.put("delivery.timeout.ms", "60000");
        AtomicLong clock = new AtomicLong();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try (Harness h = harness(props, new Acknowledgements(clock::get))) {
            broker.stop();
            // Down while nothing is sent to it: no event waits, so neither readiness nor the log says so.
            clock.addAndGet(Acknowledgements.SILENT_FOR.toNanos());
            assertThat(h.executor().problem()).isNull();
            ActionResult result;
            try (var thread = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                long began = System.nanoTime();
                var attempt = thread.submit(() -> h.run(new KafkaAction("brief-outage", null, Map.of()), event));
                // The test's clock runs until readiness says nothing was acknowledged for 5 s: the record is wanted.
                while (h.executor().problem() == null && System.nanoTime() - began < TimeUnit.SECONDS.toNanos(30)) {
                    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
                    Thread.sleep(100);
                }
                // Longer than max.block.ms: the producer has given up on the topic's metadata at least once, and has
                // tried to reconnect every 200 ms at most (reconnect.backoff.max.ms), each a warning of Kafka's own.
                Thread.sleep(Math.max(0, 3_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)));
                broker.start();
                result = attempt.get(60, TimeUnit.SECONDS);
            } finally {
                broker.start();
            }
            assertThat(result).isInstanceOf(ActionResult.Success.class);
            assertThat(readAll("brief-outage", 1)).hasSize(1);
        } finally {
            root.detachAppender(log);
        }
        String cluster = "Kafka at " + broker.bootstrapServers();
        assertThat(lines(log, Level.WARN, cluster)).singleElement().asString()
                .startsWith(cluster + " is unreachable: it has acknowledged no record for ")
                .contains("the observer's retry policy retries it", "parked", "dead letters");
        assertThat(lines(log, Level.INFO, cluster)).singleElement().asString()
                .startsWith(cluster + " is reachable again after ");
        assertThat(lines(log, Level.WARN, "clientId=executor-it")).as("Kafka's own lines per reconnection attempt")
                .noneMatch(line -> line.contains("could not be established"))
                .noneMatch(line -> line.contains("Bootstrap broker") && line.endsWith("disconnected"));
    }

    /**
     * A cluster that goes down while no record is sent to it and no readiness probe asks is logged all the same, by
     * the executor's watch (asking every 200 ms here, every 30 s in the product), and so is its return; readiness
     * stays 200, as no event waits for it. About 10 s: the broker's stop and start, and the question that goes
     * unanswered for {@link ClusterTopics#ASK_TIMEOUT}.
     */
    @Test
    void anIdleClusterThatGoesDownIsLoggedAndSoIsItsReturn() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger outageLog = (Logger) LoggerFactory.getLogger(OutageLog.class);
        outageLog.addAppender(log);
        String cluster = "Kafka at " + broker.bootstrapServers();
        try (Harness h = harness(SHORT_WAITS, new Acknowledgements(System::nanoTime), Duration.ofMillis(200))) {
            h.executor().validate(new KafkaAction("orders", null, Map.of()));
            h.executor().start();
            Thread.sleep(1_000); // a few rounds with the cluster up: they say nothing
            assertThat(lines(log, Level.WARN, cluster)).isEmpty();

            broker.stop();
            try {
                awaitLine(log, Level.WARN, cluster + " is unreachable: it gave no answer when asked (no record is "
                        + "waiting for it); events for it meanwhile wait: each attempt waits for the cluster");
                assertThat(h.executor().problem()).as("readiness: no event waits for the cluster").isNull();
            } finally {
                broker.start();
            }
            awaitLine(log, Level.INFO, cluster + " is reachable again after ");
        } finally {
            outageLog.detachAppender(log);
        }
        assertThat(lines(log, Level.WARN, cluster + " is unreachable")).hasSize(1);
    }

    /**
     * A cluster that answers but cannot complete a write is not called unreachable, in the letter, the log or
     * readiness: with a second broker stopped, a topic replicated on both with min.insync.replicas=2 refuses acks=all
     * writes (NOT_ENOUGH_REPLICAS), and a topic whose one replica was on it has no leader; the producer retries both
     * until delivery.timeout.ms. (One broker cannot show either: Kafka takes at most the replication factor as the
     * in-sync replicas needed.) About 8 s: the second broker's start and stop, and the two attempts at once.
     */
    @Test
    void aClusterThatAnswersButCannotCompleteWritesNamesTheTopicsPartitionsNotAnOutage() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger outageLog = (Logger) LoggerFactory.getLogger(OutageLog.class);
        outageLog.addAppender(log);
        String cluster = "Kafka at " + broker.bootstrapServers();
        AtomicLong clock = new AtomicLong();
        try (KafkaBroker second = broker.addBroker(dir.resolve("broker-2"));
             Harness h = harness(SHORT_WAITS, new Acknowledgements(clock::get));
             var admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("replicated", Map.of(0, List.of(1, 2))).configs(Map.of(
                    "min.insync.replicas", "2")), new NewTopic("on-broker-2", Map.of(0, List.of(2)))))
                    .all().get(30, TimeUnit.SECONDS);
            ChangeEvent event = Events.updated(21, "9", "a", "b");
            KafkaAction replicated = new KafkaAction("replicated", null, Map.of());
            KafkaAction leaderless = new KafkaAction("on-broker-2", null, Map.of());
            assertThat(h.run(replicated, event)).isInstanceOf(ActionResult.Success.class);
            assertThat(h.run(leaderless, event)).isInstanceOf(ActionResult.Success.class);
            second.stop();

            ActionResult tooFew;
            ActionResult noLeader;
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var first = threads.submit(() -> h.run(replicated, event));
                var other = threads.submit(() -> h.run(leaderless, event));
                // The test's clock runs past the silence that readiness and the log call an outage.
                while (h.executor().problem() == null && !first.isDone()) {
                    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
                    Thread.sleep(100);
                }
                tooFew = first.get(60, TimeUnit.SECONDS);
                noLeader = other.get(60, TimeUnit.SECONDS);
            }
            assertThat(tooFew).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).as(f.message()).isFalse();
                assertThat(f.message()).startsWith("kafka topic 'replicated': the cluster answers, but the record was "
                        + "not acknowledged within delivery.timeout.ms (4000 ms): partition 0 has too few in-sync "
                        + "replicas: 1 of min.insync.replicas 2 (replicas on brokers 1,2, in sync: 1)")
                        .contains("or lower the topic's min.insync.replicas").doesNotContain("reachable");
            });
            assertThat(noLeader).isInstanceOfSatisfying(ActionResult.Failure.class, f -> assertThat(f.message())
                    .startsWith("kafka topic 'on-broker-2': the cluster answers, but the record was not acknowledged "
                            + "within delivery.timeout.ms (4000 ms): partition 0 has no leader (replicas on brokers 2)")
                    .contains("bring back the brokers that hold its replicas", "Expiring 1 record(s)"));
            assertThat(h.executor().problem()).as("readiness, the records waiting to be retried")
                    .startsWith(cluster + " answers, but has acknowledged no record for ")
                    .containsAnyOf("writes to topic 'replicated' time out", "writes to topic 'on-broker-2' time out");
        } finally {
            outageLog.detachAppender(log);
        }
        assertThat(lines(log, Level.WARN, cluster)).isNotEmpty().allSatisfy(line -> assertThat(line)
                .startsWith(cluster + " answers, but has acknowledged no record for ").doesNotContain("unreachable"));
    }

    /** Waits up to a minute for a line logged at {@code level} that starts with {@code start}. */
    private static void awaitLine(ListAppender<ILoggingEvent> log, Level level, String start)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() - deadline < 0 && lines(log, level, "").stream().noneMatch(l -> l.startsWith(start))) {
            Thread.sleep(100);
        }
        assertThat(lines(log, level, "")).as("lines at " + level).anyMatch(line -> line.startsWith(start));
    }

    /** The lines logged at {@code level} that name {@code what}. */
    private static List<String> lines(ListAppender<ILoggingEvent> log, Level level, String what) {
        List<ILoggingEvent> events;
        synchronized (log) { // the appender's own lock: a watch may be logging meanwhile
            events = List.copyOf(log.list);
        }
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .filter(line -> line.contains(what)).toList();
    }

    @Test
    void anUnreachableClusterFailsTheAttemptAfterTheDeliveryTimeoutAndReadinessSaysSoDuringTheBackoff()
            throws Exception {
        broker.createTopic("long-outage", 1);
        ChangeEvent event = Events.updated(19, "7", "a", "b");
        KafkaAction action = new KafkaAction("long-outage", null, Map.of());
        AtomicLong clock = new AtomicLong();
        try (Harness h = harness(SHORT_WAITS, new Acknowledgements(clock::get))) {
            ActionResult down = whileStopped(() -> h.run(action, event));
            assertThat(down).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.permanent()).as(f.message()).isFalse();
                assertThat(f.message()).contains("no metadata for it within delivery.timeout.ms (4000 ms)");
            });
            // Waiting out its backoff, the record is still wanted, and the failure acknowledged nothing.
            clock.addAndGet(Acknowledgements.SILENT_FOR.toNanos());
            assertThat(h.executor().problem()).contains("has acknowledged no record for 5s")
                    .contains("1 waiting to be retried");

            assertThat(h.run(action, event)).isInstanceOf(ActionResult.Success.class);
            assertThat(h.executor().problem()).isNull();
        }
    }

    @Test
    void anInterruptedSendIsNotAKafkaErrorAndKeepsTheInterrupt() throws Exception {
        broker.createTopic("parked", 1);
        ChangeEvent event = Events.updated(20, "8", "a", "b");
        AtomicLong clock = new AtomicLong();
        try (Harness h = harness(SHORT_WAITS, new Acknowledgements(clock::get))) {
            broker.stop();
            AtomicReference<ActionResult> result = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            try {
                Thread sender = Thread.ofVirtual().start(() -> {
                    result.set(h.run(new KafkaAction("parked", null, Map.of()), event));
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                });
                Thread.sleep(500);
                sender.interrupt();
                sender.join(30_000);
            } finally {
                broker.start();
            }
            assertThat(result.get()).isInstanceOfSatisfying(ActionResult.Failure.class, f -> {
                assertThat(f.message()).contains("interrupted").contains("not a Kafka error");
                assertThat(f.errorType()).isEqualTo(InterruptedException.class.getName());
            });
            assertThat(stillInterrupted).isTrue();
            clock.addAndGet(Acknowledgements.SILENT_FOR.toNanos());
            assertThat(h.executor().problem()).as("taken away, not waiting for a retry").isNull();
        }
    }

    @Test
    void oneAdminClientAnswersWhetherTopicsExist() throws Exception {
        AtomicInteger admins = new AtomicInteger();
        try (ClusterTopics topics = new ClusterTopics(() -> {
            admins.incrementAndGet();
            return broker.admin();
        })) {
            assertThat(topics.exists("orders", ClusterTopics.ASK_TIMEOUT)).isTrue();
            assertThat(topics.exists("no-such-topic", ClusterTopics.ASK_TIMEOUT)).isFalse();
            assertThat(topics.exists("small", ClusterTopics.ASK_TIMEOUT)).isTrue();
            // A topic deleted while its records waited: "no such topic" is an answer, not an outage.
            assertThat(topics.trouble("no-such-topic", true, "User:ANONYMOUS")).isNotNull().satisfies(t -> assertThat(t.describe())
                    .isEqualTo("the cluster says the topic does not exist"));
            assertThat(topics.exists("no-such-topic", ClusterTopics.ASK_TIMEOUT)).as("still asked").isFalse();
            assertThat(admins).hasValue(1);
        }
    }

    /** What {@code during} returns, run while the broker is stopped; the broker is back afterwards. */
    private static <T> T whileStopped(java.util.concurrent.Callable<T> during) throws Exception {
        broker.stop();
        try {
            return during.call();
        } finally {
            broker.start();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Every record of the topic from the start, waiting until at least {@code atLeast} arrived. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            var partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
