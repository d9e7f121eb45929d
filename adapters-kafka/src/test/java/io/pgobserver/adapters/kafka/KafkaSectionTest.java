package io.pgobserver.adapters.kafka;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.domain.observer.Secret;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.trace.Tracer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code kafka:} settings, the action's checks and the module's bindings; no broker needed. */
class KafkaSectionTest {

    private static KafkaSettings settings(Map<String, String> properties) {
        return new KafkaSettings(List.of("localhost:9092"), null, properties);
    }

    @Test
    void theProducerAcknowledgesWithAllReplicasIdempotentlyByDefault() {
        Properties props = settings(Map.of()).producerProperties();

        assertThat(props).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("max.in.flight.requests.per.connection", "5")
                .containsEntry("bootstrap.servers", "localhost:9092").containsEntry("client.id", "pg-observer");
    }

    @Test
    void propertiesPassThroughOverTheDefaults() {
        Properties props = settings(Map.of("compression.type", "zstd", "linger.ms", "20")).producerProperties();

        assertThat(props).containsEntry("compression.type", "zstd").containsEntry("linger.ms", "20")
                .containsEntry("acks", "all");
    }

    /**
     * A broker that is back is reconnected after Kafka's own backoff (1 s at most between attempts), not up to 10 s
     * later; the producer's effective value, as Kafka reads it. A user's value wins.
     */
    @Test
    void aReturningBrokerIsReconnectedWithinKafkasOwnBackoffUnlessTheUserSaysOtherwise() {
        String key = ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG;
        assertThat(new ProducerConfig(settings(Map.of()).producerProperties()).getLong(key))
                .isEqualTo(ProducerConfig.configDef().defaultValues().get(key)).isEqualTo(1000L);
        assertThat(new ProducerConfig(settings(Map.of(key, "2000")).producerProperties()).getLong(key))
                .isEqualTo(2000L);
    }

    @Test
    void credentialsInPropertiesAreRenderedAsSecrets() {
        KafkaSettings s = settings(Map.of("sasl.jaas.config", "org.apache.kafka.common.security.plain."
                        + "PlainLoginModule required username=\"u\" password=\"p\";", "ssl.truststore.password", "tp",
                "sasl.mechanism", "PLAIN", "security.protocol", "SASL_SSL"));

        Map<String, Object> rendered = new KafkaSection().render(s);

        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) rendered.get("properties");
        assertThat(properties.get("sasl.jaas.config")).isInstanceOf(Secret.class);
        assertThat(properties.get("ssl.truststore.password")).isInstanceOf(Secret.class);
        assertThat(properties).containsEntry("sasl.mechanism", "PLAIN");
    }

    /** Whom a letter's ACL names: the brokers' name for the producer's login. */
    @Test
    void thePrincipalIsTheSaslUsernameOrAnonymousWithoutALogin() {
        assertThat(settings(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username = \"pg-observer\" password=\"p\";")).principal()).isEqualTo("User:pg-observer");
        assertThat(settings(Map.of()).principal()).isEqualTo("User:ANONYMOUS");
        assertThat(settings(Map.of("security.protocol", "SSL")).principal())
                .isEqualTo("User:<the producer's principal>");
    }

    @Test
    void settingsThatBreakTheGuaranteesOrTheWiringStopTheBootNamingTheKey() {
        assertThatThrownBy(() -> settings(Map.of("max.in.flight.requests.per.connection", "10")))
                .hasMessageContaining("kafka.properties");
        assertThatThrownBy(() -> settings(Map.of("bootstrap.servers", "x:1")))
                .hasMessageContaining("kafka.properties.bootstrap.servers").hasMessageContaining("kafka.bootstrap_servers");
        assertThatThrownBy(() -> settings(Map.of("value.serializer", "x")))
                .hasMessageContaining("kafka.properties.value.serializer");
        assertThatThrownBy(() -> new KafkaSettings(List.of("localhost"), null, Map.of()))
                .hasMessageContaining("kafka.bootstrap_servers").hasMessageContaining("host:port");
    }

    @Test
    void aDeliveryTimeoutTheProducerWouldRefuseStopsTheBootNamingTheKeyAndTheFix() {
        // The producer's constructor, not ProducerConfig, enforces this rule: check-config must see it all the same.
        assertThatThrownBy(() -> settings(Map.of("delivery.timeout.ms", "1000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.properties.delivery.timeout.ms (1000)")
                .hasMessageContaining("linger.ms + request.timeout.ms (30005)")
                .hasMessageContaining("raise it");
        assertThat(settings(Map.of("delivery.timeout.ms", "3000", "request.timeout.ms", "1000", "linger.ms", "0"))
                .deliveryTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    /**
     * One wait for a topic's metadata ({@code max.block.ms}, 10 s) is part of an attempt, which waits up to the
     * delivery timeout in all: a user's 3 s delivery timeout caps it, whether the 10 s are pg-observer's default or the
     * user's own. A lower value is kept.
     */
    @Test
    void aWaitForATopicsMetadataIsNeverLongerThanTheDeliveryTimeout() {
        Map<String, String> threeSeconds = Map.of("delivery.timeout.ms", "3000", "request.timeout.ms", "1000",
                "linger.ms", "0");
        assertThat(maxBlockMs(threeSeconds)).isEqualTo(3000L);
        Map<String, String> alsoMaxBlock = new java.util.HashMap<>(threeSeconds);
        alsoMaxBlock.put("max.block.ms", "10000");
        assertThat(maxBlockMs(alsoMaxBlock)).isEqualTo(3000L);
        alsoMaxBlock.put("max.block.ms", "2000");
        assertThat(maxBlockMs(alsoMaxBlock)).isEqualTo(2000L);
        assertThat(maxBlockMs(Map.of())).isEqualTo(10_000L);
    }

    /** The producer's {@code max.block.ms}, as Kafka reads the configuration pg-observer gives it. */
    private static long maxBlockMs(Map<String, String> properties) {
        return new ProducerConfig(settings(properties).producerProperties())
                .getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG);
    }

    @Test
    void theDeliveryTimeoutIsTheProducersOne() {
        assertThat(settings(Map.of()).deliveryTimeout()).isEqualTo(Duration.ofMinutes(2));
        // Unset, the producer raises it to linger.ms + request.timeout.ms rather than refusing.
        assertThat(settings(Map.of("request.timeout.ms", "200000", "linger.ms", "0")).deliveryTimeout())
                .isEqualTo(Duration.ofSeconds(200));
    }

    @Test
    void anActionNeedsATopicAndLeavesPgObserversHeadersAlone() {
        assertThatThrownBy(() -> new KafkaAction(" ", null, Map.of())).hasMessageContaining("topic must be set");
        assertThatThrownBy(() -> new KafkaAction("t", null, Map.of("Traceparent", "x")))
                .hasMessageContaining("set by pg-observer");
        assertThatThrownBy(() -> new KafkaAction("t", null, Map.of("pgobserver-delivery-id", "x")))
                .hasMessageContaining("set by pg-observer");
    }

    @Test
    void aKafkaActionWithoutTheClusterOrWithABadTemplateStopsTheBoot() {
        KafkaExecutor none = new KafkaExecutor(KafkaSettings.none(), new KafkaClient(KafkaSettings.none()),
                Tracer.noop());
        assertThatThrownBy(() -> none.validate(new KafkaAction("orders", null, Map.of())))
                .hasMessageContaining("set kafka.bootstrap_servers");
        KafkaExecutor some = new KafkaExecutor(settings(Map.of()), new KafkaClient(settings(Map.of())),
                Tracer.noop());
        assertThatThrownBy(() -> some.validate(new KafkaAction("orders.{{#event}}x", null, Map.of())))
                .hasMessageStartingWith("kafka orders.{{#event}}x: topic template does not compile");
        // Each template is named by its action's topic, so that of two Kafka actions the broken one is told.
        assertThatThrownBy(() -> some.validate(new KafkaAction("audit", "{{after.id", Map.of())))
                .hasMessageStartingWith("kafka audit: key template does not compile: the tag at column 1");
        assertThatThrownBy(() -> some.validate(new KafkaAction("orders", null, Map.of("footer", "{{> footer}}"))))
                .hasMessageStartingWith("kafka orders: header 'footer' does not compile: partials ({{> footer}}) "
                        + "are not supported");
    }

    @Test
    void isFoundByServiceLoaderWithItsNameSectionAndActionType() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.name().equals("adapters-kafka")).findFirst().orElseThrow();
        assertThat(adapter).isInstanceOf(KafkaModule.class);
        assertThat(adapter.provides()).containsExactly(Adapter.Capability.ACTIONS);
        assertThat(adapter.sections()).extracting(ConfigSection::key).containsExactly("kafka");
        assertThat(adapter.actionTypes()).extracting(t -> t.name()).containsExactly("kafka");
    }

    @Test
    void bindsTheExecutorAndTheProducerOnceEachAndTheExecutorsWatchAfterTheProducer() {
        Injector injector = Guice.createInjector(new KafkaModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(KafkaSettings.class).toInstance(KafkaSettings.none());
                bind(Tracer.class).toInstance(Tracer.noop());
            }
        });
        Set<ActionExecutor> executors = injector.getInstance(Key.get(new TypeLiteral<Set<ActionExecutor>>() { }));
        assertThat(executors).singleElement().isInstanceOf(KafkaExecutor.class)
                .extracting(ActionExecutor::type).isEqualTo("kafka");
        KafkaClient producer = injector.getInstance(KafkaClient.class);
        KafkaExecutor watch = injector.getInstance(KafkaExecutor.class);
        assertThat(injector.getInstance(Key.get(new TypeLiteral<Set<Lifecycle>>() { })))
                .containsExactlyInAnyOrder(producer, watch);
        assertThat(executors).singleElement().isSameAs(watch);
        // Started after the producer and stopped before it, so its last question is not told as an outage.
        assertThat(watch.order()).isGreaterThan(producer.order());
    }
}
