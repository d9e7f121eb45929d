package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgobserver.adapters.kafka.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kafka action through the packaged jar, against a real KRaft broker in this JVM and a 3-partition topic per
 * test: {@code N} counter updates over 100 rows ({@code -Dkafka.updates}, 4,000 here, 20,000 for the full run), each
 * row's {@code n} counting its updates, so after de-duplication by {@code pgobserver-delivery-id} every row's records
 * must read 1, 2, 3, ... in order. A backlog drains with tracing on (its rate printed for docs/performance.md); the
 * broker stops mid-load for {@code -Dkafka.outage.seconds} (8 here, 20 for the full run); the observer is killed
 * with SIGKILL three times mid-load. Each time: nothing lost, per-key order kept, duplicates bounded by what was in
 * flight.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaDeliveryIT {

    private static final int ROWS = 100;
    private static final int UPDATES = Integer.getInteger("kafka.updates", 4_000);
    /**
     * Longer than the outage takes to be told: 5 s without an acknowledgement, then up to 1 s until a waiting send
     * asks the cluster, which may take 2 s to give no answer. At 8 s a busy machine could see the broker back first.
     */
    private static final int OUTAGE_SECONDS = Integer.getInteger("kafka.outage.seconds", 12);
    private static final int MAX_IN_FLIGHT = 16;
    private static final int KILLS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long seed = Long.getLong("faults.seed", System.nanoTime());
    private FaultSupport.Rig rig;
    private KafkaBroker broker;
    private TraceBackend traces;

    @BeforeAll
    void start() throws Exception {
        List<String> ddl = new ArrayList<>();
        for (String table : List.of("drain", "outage", "kill", "stop")) {
            ddl.add("create table public.counters_" + table + " (id int primary key, n bigint not null)");
            ddl.add("insert into public.counters_" + table + " select g, 0 from generate_series(1, " + ROWS + ") g");
        }
        rig = FaultSupport.Rig.start("kafka", ddl.toArray(String[]::new));
        broker = KafkaBroker.start(java.nio.file.Files.createTempDirectory("pgobserver-kafka-broker"));
        traces = TraceBackend.start();
    }

    @AfterAll
    void stop() throws Exception {
        // The observers first (the rig stops them), then what they talk to.
        FaultSupport.closeAll(null, rig, broker, traces);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_backlog_drains_to_three_partitions_in_commit_order_per_key_with_tracing_on() throws Exception {
        // The listener's default max_in_flight (256): the rate a user would see. 100 rows allow 100 at once.
        Path config = setUp("drain", true, 256);
        writeUpdates("drain", UPDATES, new Random(seed));
        try (Reader reader = new Reader("counters-drain")) {
            long started = System.nanoTime();
            ObserverProcess observer = rig.run("drain", config, Map.of());
            reader.await(observer, UPDATES);
            long wall = System.nanoTime() - started;
            List<ConsumerRecord<String, String>> records = reader.records();
            long first = records.stream().mapToLong(ConsumerRecord::timestamp).min().orElseThrow();
            long last = records.stream().mapToLong(ConsumerRecord::timestamp).max().orElseThrow();
            System.out.printf("KafkaDeliveryIT drain: %d updates of %d rows to 3 partitions, tracing on (every span "
                            + "exported over OTLP/HTTP): %.0f events/s from the first record to the last (%d ms); "
                            + "%.1f s from the observer's start, JVM start included%n", UPDATES, ROWS,
                    records.size() * 1000.0 / Math.max(1, last - first), last - first, wall / 1e9);
            assertThat(traces.exportCount()).as("spans exported").isPositive();
            verify("drain", records, 0);
            assertThat(observer.stop()).isZero();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_broker_stopped_mid_load_loses_nothing_and_keeps_each_keys_order() throws Exception {
        int adminPort = FaultSupport.freePort();
        Path config = setUp("outage", false, MAX_IN_FLIGHT, adminPort);
        try (Reader reader = new Reader("counters-outage")) {
            ObserverProcess observer = rig.run("outage", config, Map.of());
            Thread writer = Thread.ofPlatform().start(() -> writeUpdates("outage", UPDATES, new Random(seed + 1)));
            reader.awaitAtLeast(observer, UPDATES / 4);
            broker.stop();
            long sentWhenStopped = reader.count();
            long outageEnds = System.nanoTime() + OUTAGE_SECONDS * 1_000_000_000L;
            String unready = null;
            while (System.nanoTime() < outageEnds) {
                String answer = FaultSupport.httpBody(adminPort, "/health/ready");
                if (unready == null && answer != null && answer.contains("Kafka at")) {
                    unready = answer;
                }
                Thread.sleep(200);
            }
            rig.assertRunning(observer);
            assertThat(unready).as("/health/ready while the broker was down").isNotNull()
                    .contains("\"status\":\"unavailable\"", "has acknowledged no record for");
            broker.start();
            writer.join();
            reader.await(observer, UPDATES);
            System.out.printf("KafkaDeliveryIT outage: broker down %d s after %d of %d records; all delivered%n",
                    OUTAGE_SECONDS, sentWhenStopped, UPDATES);
            verify("outage", reader.records(), MAX_IN_FLIGHT);
            // The shipped logging: the outage said when it starts and when it ends, and not at every reconnection.
            assertThat(observer.output()).contains("Kafka at " + broker.bootstrapServers() + " is unreachable: ")
                    .contains("Kafka at " + broker.bootstrapServers() + " is reachable again after ")
                    .doesNotContain("could not be established").doesNotContain("Bootstrap broker");
            assertThat(observer.stop()).isZero();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kill_nine_mid_load_loses_nothing_and_de_duplication_by_the_header_gives_exactly_one_of_each()
            throws Exception {
        Path config = setUp("kill", false, MAX_IN_FLIGHT);
        try (Reader reader = new Reader("counters-kill")) {
            ObserverProcess observer = rig.run("kill-0", config, Map.of());
            Thread writer = Thread.ofPlatform().start(() -> writeUpdates("kill", UPDATES, new Random(seed + 2)));
            for (int kill = 1; kill <= KILLS; kill++) {
                reader.awaitAtLeast(observer, UPDATES * kill / (KILLS + 1));
                observer.kill();
                observer = rig.run("kill-" + kill, config, Map.of());
            }
            writer.join();
            reader.await(observer, UPDATES);
            verify("kill", reader.records(), KILLS * MAX_IN_FLIGHT);
            assertThat(observer.stop()).isZero();
        }
    }

    /**
     * SIGTERM ({@code --shutdown-timeout 2s}) while the broker is down and every place waits for an acknowledgement:
     * the stop interrupts those sends and ends without flushing the producer, so a broker back during its exit gets
     * nothing from it; a new run then sends every update, each key's in order. Before, the producer's close waited
     * 10 s more for the records of the interrupted events, the place already released, and delivered them late when
     * the broker came back meanwhile: behind the next holder's records of the same key. The topic stamps each record
     * with the broker's time of appending, which tells such a late record from one merely read late.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void a_stop_while_the_broker_is_down_sends_nothing_late_and_the_next_run_sends_what_it_cut() throws Exception {
        int adminPort = FaultSupport.freePort();
        Path config = setUp("stop", false, MAX_IN_FLIGHT, adminPort);
        try (Admin admin = broker.admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "counters-stop"),
                    List.of(new AlterConfigOp(new ConfigEntry("message.timestamp.type", "LogAppendTime"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        }
        try (Reader reader = new Reader("counters-stop")) {
            ObserverProcess observer = rig.run("stop", config, Map.of(), Duration.ofSeconds(2));
            Thread writer = Thread.ofPlatform().start(() -> writeUpdates("stop", UPDATES, new Random(seed + 3)));
            reader.awaitAtLeast(observer, UPDATES / 8);
            broker.stop();
            rig.awaitWhileRunning(observer, "sends waiting for the broker", Duration.ofSeconds(60), () -> {
                String answer = FaultSupport.httpBody(adminPort, "/health/ready");
                return answer != null && answer.contains("has acknowledged no record for");
            });
            long signalled = System.nanoTime();
            FaultSupport.signal("TERM", observer.pid());
            FaultSupport.await("the stop interrupting the sends", Duration.ofSeconds(60),
                    () -> observer.lastLine("pipeline stopped after") > 0 || !observer.isAlive());
            long brokerBack = System.currentTimeMillis();
            broker.start();
            int exit = observer.waitFor(60);
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            long nextRun = System.currentTimeMillis();
            assertThat(exit).as("exit code after SIGTERM; output:%n%s", observer.output()).isZero();
            assertThat(observer.output()).as("the stop names the sends it cut and who runs them")
                    .containsPattern("events still running after 2s \\(--shutdown-timeout\\); interrupting "
                            + "\\d+ events? \\(public\\.counters_stop \\d+ at change_log id \\d+"
                            + ".*next holder runs them again");
            writer.join();
            ObserverProcess next = rig.run("stop-next", config, Map.of());
            reader.await(next, UPDATES);
            List<String> late = reader.records().stream()
                    .filter(r -> r.timestamp() >= brokerBack && r.timestamp() < nextRun)
                    .map(r -> "key " + r.key() + " at offset " + r.offset() + " of partition " + r.partition())
                    .toList();
            System.out.printf("KafkaDeliveryIT stop: SIGTERM with the broker down and %d sends waiting: exit %d "
                    + "after %d ms; %d records of the stopped process appended once the broker was back%n",
                    MAX_IN_FLIGHT, exit, exitMillis, late.size());
            assertThat(late).as("records the stopped process sent after the broker came back").isEmpty();
            verify("stop", reader.records(), MAX_IN_FLIGHT);
            assertThat(next.stop()).isZero();
        }
    }

    /** Creates the topic, writes the configuration and installs capture on the table. */
    private Path setUp(String name, boolean tracing, int maxInFlight) throws Exception {
        return setUp(name, tracing, maxInFlight, -1);
    }

    private Path setUp(String name, boolean tracing, int maxInFlight, int adminPort) throws Exception {
        broker.createTopic("counters-" + name, 3);
        String telemetry = tracing ? """
                tracing:
                  enabled: true
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  sample_rate: 1.0
                """.formatted(traces.endpoint()) : "tracing: { enabled: false }\n";
        Path config = FaultSupport.writeConfig(rig.work, name + ".yaml", """
                database: { url: "%s", user: postgres }
                listener: { consumer: kafka-%s, poll_interval: 200ms, checkpoint_interval: 100ms, max_in_flight: %d }
                %smetrics: { enabled: false }
                admin: { port: %d }
                kafka: { bootstrap_servers: "%s", client_id: kafka-%s }
                observers:
                  counters:
                    entity: public.counters_%s
                    on: [updated]
                    actions: [ { type: kafka, topic: counters-%s } ]
                    retry: { max_attempts: 1000, initial_backoff: 100ms, max_backoff: 1s }
                """.formatted(rig.postgres.jdbcUrl(), name, maxInFlight, telemetry, adminPort, broker.bootstrapServers(),
                name, name, name));
        rig.install(config, "public.counters_" + name);
        return config;
    }

    /** One update of a random row per transaction, as fast as the database takes them. */
    private void writeUpdates(String table, int updates, Random random) {
        try (Connection c = rig.postgres.connect("kafka-writer");
             PreparedStatement update = c.prepareStatement("update public.counters_" + table
                     + " set n = n + 1 where id = ?")) {
            for (int i = 0; i < updates; i++) {
                update.setInt(1, 1 + random.nextInt(ROWS));
                update.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the records show against the change log: no update lost; de-duplicated by the delivery id, exactly one
     * record per update, and each row's counter reading 1, 2, 3, ... in partition order; at most {@code maxDuplicates}
     * repeated records.
     */
    private void verify(String table, List<ConsumerRecord<String, String>> records, int maxDuplicates)
            throws Exception {
        Map<String, Long> written = new HashMap<>();
        try (Connection c = rig.postgres.connect("kafka-verify"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select event_id::text, (after->>'n')::bigint from pgobserver.change_log "
                     + "where entity_type = 'public.counters_" + table + "' and kind = 'updated'")) {
            while (rs.next()) {
                written.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertThat(written).hasSize(UPDATES);
        Map<String, String> eventByDelivery = new HashMap<>();
        Map<String, List<Long>> countsByKey = new LinkedHashMap<>();
        Set<String> events = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            String delivery = new String(record.headers().lastHeader("pgobserver-delivery-id").value(),
                    StandardCharsets.UTF_8);
            JsonNode body = JSON.readTree(record.value());
            String event = body.get("event_id").asText();
            String previous = eventByDelivery.putIfAbsent(delivery, event);
            assertThat(previous).as("one event per delivery id").isIn(null, event);
            if (previous == null) {
                events.add(event);
                assertThat(record.key()).isEqualTo(body.get("entity_id").asText());
                countsByKey.computeIfAbsent(record.key(), k -> new ArrayList<>())
                        .add(body.get("after").get("n").asLong());
            }
        }
        Set<String> lost = new HashSet<>(written.keySet());
        lost.removeAll(events);
        long duplicates = records.size() - eventByDelivery.size();
        System.out.printf("KafkaDeliveryIT %s (seed %d): %d updates, %d records, %d after de-duplication by "
                + "pgobserver-delivery-id, %d duplicates (bound %d), %d lost%n", table, seed, UPDATES, records.size(),
                eventByDelivery.size(), duplicates, maxDuplicates, lost.size());
        assertThat(lost).as("updates never delivered (seed %d, log in %s)", seed, rig.log).isEmpty();
        assertThat(eventByDelivery).as("exactly one of each after de-duplication").hasSize(UPDATES);
        assertThat(events).isEqualTo(written.keySet());
        countsByKey.forEach((key, counts) -> assertThat(counts).as("row %s's counter in record order", key)
                .isEqualTo(java.util.stream.LongStream.rangeClosed(1, counts.size()).boxed().toList()));
        assertThat(duplicates).as("repeated records").isLessThanOrEqualTo(maxDuplicates);
    }

    /** A consumer of every partition of one topic from the start, collecting on a thread of its own. */
    private final class Reader implements AutoCloseable {
        private final List<ConsumerRecord<String, String>> records = new ArrayList<>();
        private final Thread thread;
        private volatile boolean stop;

        Reader(String topic) {
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config);
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            assertThat(partitions).hasSize(3);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = Thread.ofPlatform().name("reader-" + topic).start(() -> {
                try (consumer) {
                    while (!stop) {
                        var batch = consumer.poll(Duration.ofMillis(100));
                        synchronized (records) {
                            batch.forEach(records::add);
                        }
                    }
                }
            });
        }

        int count() {
            synchronized (records) {
                return records.size();
            }
        }

        List<ConsumerRecord<String, String>> records() {
            synchronized (records) {
                return List.copyOf(records);
            }
        }

        void awaitAtLeast(ObserverProcess observer, int count) throws InterruptedException {
            rig.awaitWhileRunning(observer, count + " records", Duration.ofMinutes(2), () -> count() >= count);
        }

        /** Waits for {@code count} distinct delivery ids, then a moment for late repeats. */
        void await(ObserverProcess observer, int count) throws InterruptedException {
            rig.awaitWhileRunning(observer, count + " distinct records", Duration.ofMinutes(3),
                    () -> records().stream().map(r -> new String(r.headers().lastHeader("pgobserver-delivery-id")
                            .value(), StandardCharsets.UTF_8)).distinct().count() >= count);
            Thread.sleep(1_000);
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
