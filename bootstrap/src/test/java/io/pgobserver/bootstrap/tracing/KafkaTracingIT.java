package io.pgobserver.bootstrap.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.pgobserver.adapters.kafka.KafkaBroker;
import io.pgobserver.domain.trace.TraceContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kafka action in a whole observer (the real pipeline, PostgreSQL and adapters, a real KRaft broker in this
 * JVM, spans and metrics pushed over OTLP to a protocol-level receiver): a traced consumer continues the writer's
 * trace from each record's headers (writer → process_event → … → send orders → process orders), a missing topic is
 * dead-lettered with its reason, and the action's metrics count what was sent and what failed. A backlog of 500
 * events in 100-row transactions, each in a trace of its own, is consumed the same way: every record carries a
 * traceparent of its writer's trace.
 */
class KafkaTracingIT {

    private static final int TRACED = 20;
    private static final int BACKLOG = 500;

    private static EmbeddedPostgres postgres;
    private static KafkaBroker broker;
    private static OtlpReceiver receiver;
    /** The broker's log directories; JUnit removes it after the class. */
    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        broker = KafkaBroker.start(work.resolve("broker"));
        broker.createTopic("orders", 3);
        receiver = OtlpReceiver.grpc();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {receiver, broker, postgres}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static TraceContext writer() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return TraceContext.of("%016x%016x".formatted(random.nextLong() | 1, random.nextLong()),
                "%016x".formatted(random.nextLong() | 1), true);
    }

    @Test
    void aConsumerContinuesTheWritersTraceFromEachRecordsHeaders() throws Exception {
        String yaml = """
                tracing: { enabled: true, exporter: otlp, endpoint: "%s", protocol: grpc, sample_rate: 1.0 }
                metrics: { enabled: true, exporter: otlp }
                kafka: { bootstrap_servers: "%s", client_id: tracing-it, properties: { max.block.ms: 2000 } }
                observers:
                  to_kafka:
                    entity: public.orders
                    actions: [ { type: kafka, topic: orders } ]
                  lost:
                    entity: public.orders
                    condition: "after.customer == 'lost'"
                    actions: [ { type: kafka, topic: no-such-topic } ]
                    retry: { max_attempts: 2, initial_backoff: 10ms }
                """.formatted(receiver.endpoint(), broker.bootstrapServers());
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_METRIC_EXPORT_INTERVAL", "200");
        List<TraceContext> writers = new ArrayList<>();
        java.util.Set<String> writerTraces = new java.util.HashSet<>();
        try (ObserverRun run = ObserverRun.start(postgres, yaml, env)) {
            for (int i = 0; i < TRACED; i++) {
                TraceContext w = writer();
                writers.add(w);
                writerTraces.add(w.traceId());
                run.writeOrder(i == 0 ? "lost" : "c" + i, 10 + i, w.traceparent(), null);
            }
            assertThat(run.awaitProcessed(TRACED)).isTrue();
            // The backlog: transactions of 100 rows, each in a trace of its own.
            String jdbcUrl = run.jdbcUrl();
            try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", null)) {
                c.setAutoCommit(false);
                for (int done = 0; done < BACKLOG; done += 100) {
                    TraceContext w = writer();
                    writerTraces.add(w.traceId());
                    try (PreparedStatement set = c.prepareStatement(
                            "select set_config('pgobserver.traceparent', ?, true)");
                         PreparedStatement insert = c.prepareStatement("insert into public.orders (customer, total) "
                                 + "select 'b' || g, g from generate_series(1, 100) g")) {
                        set.setString(1, w.traceparent());
                        set.execute();
                        insert.executeUpdate();
                    }
                    c.commit();
                }
            }
            List<ConsumerRecord<String, String>> records = consume(TRACED + BACKLOG);
            assertThat(records).hasSize(TRACED + BACKLOG);
            assertThat(records).allSatisfy(r -> assertThat(writerTraces).contains(
                    TraceContext.parse(new String(r.headers().lastHeader("traceparent").value(),
                            StandardCharsets.UTF_8)).orElseThrow().traceId()));
            continueTraces(records);
            assertThat(Await.until(Duration.ofSeconds(60), () -> deadLetters(run) == 1)).as("the missing topic's "
                    + "event dead-lettered").isTrue();
            assertThat(Await.until(Duration.ofSeconds(30), () -> receiver.latestHistogramCount(
                    "pgobserver.action.duration", "outcome", "success").orElse(0) == TRACED + BACKLOG))
                    .as("every record sent measured: %s", receiver.latestHistogramCount("pgobserver.action.duration",
                            "outcome", "success")).isTrue();
            assertThat(Await.until(Duration.ofSeconds(30), () -> receiver.latestSum("pgobserver.action.failures",
                    "outcome", "failed").equals(OptionalLong.of(1)))).as("one failed kafka send").isTrue();
        }

        for (TraceContext w : writers) {
            assertThat(Await.until(Duration.ofSeconds(30), () -> receiver.spans(w.traceId()).stream()
                    .anyMatch(s -> s.name().equals("process orders")))).as("consumer span of %s", w.traceId()).isTrue();
            List<ExportedSpan> spans = receiver.spans(w.traceId());
            ExportedSpan consumer = named(spans, "process orders");
            ExportedSpan send = byId(spans, consumer.parentId());
            assertThat(send.name()).isEqualTo("send orders");
            assertThat(send.kind()).isEqualTo("PRODUCER");
            assertThat(send.attributes()).containsEntry("messaging.system", "kafka")
                    .containsEntry("messaging.destination.name", "orders")
                    .containsKeys("messaging.kafka.message.key", "messaging.destination.partition.id",
                            "messaging.kafka.offset");
            assertThat(send.attributes().get("messaging.kafka.offset"))
                    .isEqualTo(consumer.attributes().get("messaging.kafka.offset"));
            ExportedSpan action = byId(spans, send.parentId());
            assertThat(action.name()).isEqualTo("execute_action");
            ExportedSpan actions = byId(spans, action.parentId());
            ExportedSpan root = byId(spans, actions.parentId());
            assertThat(root.name()).isEqualTo("process_event");
            assertThat(root.parentId()).as("process_event is a child of the writer").isEqualTo(w.spanId());
        }
        ExportedSpan failed = named(receiver.spans(writers.getFirst().traceId()), "send no-such-topic");
        assertThat(failed.error()).isTrue();
        assertThat(failed.attributes().get("error")).contains("does not exist");
    }

    /** The traced consumer: each record's span is a child of the context its headers carry. */
    private static void continueTraces(List<ConsumerRecord<String, String>> records) {
        OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint(receiver.endpoint()).build();
        try (SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "orders-consumer"))))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter).setMaxQueueSize(100_000).build()).build()) {
            var tracer = provider.get("kafka-tracing-it");
            for (ConsumerRecord<String, String> record : records) {
                Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), record.headers(),
                        HEADERS);
                tracer.spanBuilder("process " + record.topic()).setParent(parent).setSpanKind(SpanKind.CONSUMER)
                        .setAttribute("messaging.system", "kafka")
                        .setAttribute("messaging.kafka.offset", record.offset())
                        .startSpan().end();
            }
            provider.forceFlush().join(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static final TextMapGetter<Headers> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static List<ConsumerRecord<String, String>> consume(int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor("orders", Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition("orders", p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static long deadLetters(ObserverRun run) {
        try {
            return run.deadLetters();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ExportedSpan named(List<ExportedSpan> spans, String name) {
        return spans.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    private static ExportedSpan byId(List<ExportedSpan> spans, String id) {
        return spans.stream().filter(s -> s.spanId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + id + " in " + spans));
    }
}
