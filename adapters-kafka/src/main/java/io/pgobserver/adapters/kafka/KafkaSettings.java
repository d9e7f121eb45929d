package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code kafka:} settings shared by every kafka action: where the cluster is, the client id, and producer
 * properties passed through as they are (SASL/SSL, compression, linger, batch size).
 *
 * @param bootstrapServers {@code host:port} of one or more brokers; empty when the section is absent (kafka
 *                         actions then stop the boot)
 * @param clientId         the producer's {@code client.id}, {@code pg-observer} by default
 * @param properties       producer properties over the defaults ({@link #DEFAULTS})
 */
record KafkaSettings(List<String> bootstrapServers, String clientId, Map<String, String> properties) {

    static final String DEFAULT_CLIENT_ID = "pg-observer";

    /**
     * What the observer's guarantees need: the broker acknowledges only what every in-sync replica has
     * ({@code acks=all}); the idempotent producer neither duplicates a record when it retries nor reorders records
     * of one partition (it keeps order with up to 5 requests in flight). {@code max.block.ms} bounds how long a
     * send waits for a topic's metadata, so a missing topic is reported in seconds rather than a minute; it is never
     * more than the delivery timeout ({@link #producerProperties()}).
     *
     * <p>{@code reconnect.backoff.max.ms} is left at Kafka's 1 s: a broker that is back is reconnected within 1.2 s
     * at most (Kafka's jitter adds up to a fifth), and the events waiting for it go on. A longer backoff would only
     * mean fewer of Kafka's lines per failed reconnection attempt, which this adapter logs at DEBUG
     * ({@link ReconnectWarnings}) while {@link OutageLog} says the outage once; every event would wait longer.
     */
    static final Map<String, String> DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");

    /** Set by pg-observer itself or by the section's own keys. */
    private static final Map<String, String> RESERVED = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "set kafka.bootstrap_servers instead",
            ProducerConfig.CLIENT_ID_CONFIG, "set kafka.client_id instead",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "keys are the rendered key template, as UTF-8",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "values are the event JSON",
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "each record is acknowledged on its own; transactions are not used");
    private static final Pattern SECRET_NAME = Pattern.compile("password|secret|jaas|token|credential|user\\.info");
    private static final Pattern JAAS_USERNAME = Pattern.compile("\\busername\\s*=\\s*\"([^\"]*)\"");
    private static final Pattern SERVER = Pattern.compile("[^\\s:/,]+:\\d{1,5}|\\[[0-9a-fA-F:.]+]:\\d{1,5}");

    KafkaSettings {
        bootstrapServers = bootstrapServers == null ? List.of() : List.copyOf(bootstrapServers);
        for (String server : bootstrapServers) {
            if (!SERVER.matcher(server).matches()) {
                throw new IllegalArgumentException("kafka.bootstrap_servers: '" + server + "' is not host:port "
                        + "(e.g. localhost:9092; several as a list or comma-separated)");
            }
        }
        clientId = clientId == null || clientId.isBlank() ? DEFAULT_CLIENT_ID : clientId.trim();
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        for (String key : properties.keySet()) {
            String why = RESERVED.get(key);
            if (why != null) {
                throw new IllegalArgumentException("kafka.properties." + key + " cannot be set here: " + why);
            }
        }
        if (!bootstrapServers.isEmpty()) {
            check(producerProperties(bootstrapServers, clientId, properties));
        }
    }

    /** No {@code kafka:} section. */
    static KafkaSettings none() {
        return new KafkaSettings(List.of(), null, Map.of());
    }

    boolean configured() {
        return !bootstrapServers.isEmpty();
    }

    /** The producer's configuration: the defaults, then {@code properties}, then the section's own keys. */
    Properties producerProperties() {
        return producerProperties(bootstrapServers, clientId, properties);
    }

    private static Properties producerProperties(List<String> servers, String clientId, Map<String, String> own) {
        Properties props = new Properties();
        props.putAll(DEFAULTS);
        props.putAll(own);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", servers));
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        capMetadataWait(props);
        return props;
    }

    /**
     * {@code max.block.ms} at most the delivery timeout: one wait for a topic's metadata is a part of an attempt,
     * which waits for the cluster up to {@code delivery.timeout.ms} in all. At 10 s against a delivery timeout of 3 s
     * (a user's) a single wait kept the attempt past it by up to 7 s. Settings Kafka refuses are left to
     * {@link #check}, which names them.
     */
    private static void capMetadataWait(Properties props) {
        ProducerConfig config;
        try {
            config = new ProducerConfig(props);
        } catch (ConfigException e) {
            return;
        }
        long deliveryMs = deliveryTimeoutMs(config);
        if (config.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG) > deliveryMs) {
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(deliveryMs));
        }
    }

    /**
     * Kafka's own validation of the producer configuration, at boot: types, ranges, and what idempotence
     * requires ({@code acks=all}, at most 5 requests in flight). Its messages hide password values. The producer's
     * constructor adds one rule of its own, checked here too so that {@code check-config} sees it without
     * building a producer: a {@code delivery.timeout.ms} set below {@code linger.ms + request.timeout.ms}.
     */
    private static void check(Properties props) {
        ProducerConfig config;
        try {
            config = new ProducerConfig(props);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("kafka.properties: " + e.getMessage()
                    + " (see the producer configuration reference of Apache Kafka)", e);
        }
        long needed = lingerAndRequestTimeoutMs(config);
        if (props.containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)
                && config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG) < needed) {
            throw new IllegalArgumentException("kafka.properties.delivery.timeout.ms ("
                    + config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG) + ") must be at least linger.ms + "
                    + "request.timeout.ms (" + needed + "): raise it, or lower request.timeout.ms or linger.ms");
        }
    }

    private static long lingerAndRequestTimeoutMs(ProducerConfig config) {
        return Math.min(config.getLong(ProducerConfig.LINGER_MS_CONFIG)
                + config.getInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), Integer.MAX_VALUE);
    }

    /**
     * How long the producer keeps a record before it gives up ({@code delivery.timeout.ms}; like the producer, at
     * least {@code linger.ms + request.timeout.ms} when it was not set). Builds the producer's configuration: ask
     * once, not per record.
     */
    Duration deliveryTimeout() {
        return Duration.ofMillis(deliveryTimeoutMs(new ProducerConfig(producerProperties())));
    }

    private static long deliveryTimeoutMs(ProducerConfig config) {
        return Math.max(config.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG), lingerAndRequestTimeoutMs(config));
    }

    /**
     * Whether the leader acknowledges a record only once the in-sync replicas have it ({@code acks=all}, the default):
     * only then do too few in-sync replicas hold writes back.
     */
    boolean acksAll() {
        String acks = producerProperties().getProperty(ProducerConfig.ACKS_CONFIG, "all").trim();
        return acks.equalsIgnoreCase("all") || acks.equals("-1");
    }

    /** How long one send waits for a topic's metadata ({@code max.block.ms}, at most the delivery timeout). */
    Duration metadataWait() {
        return Duration.ofMillis(new ProducerConfig(producerProperties()).getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG));
    }

    /**
     * Who the brokers' ACLs see the producer as, for a letter to name in the ACL to add: {@code User:} and the
     * SASL username of {@code sasl.jaas.config}, {@code User:ANONYMOUS} without SASL or TLS, else a placeholder
     * (a certificate's or a Kerberos name is the broker's to map).
     */
    String principal() {
        String protocol = properties.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
        java.util.regex.Matcher user = JAAS_USERNAME.matcher(properties.getOrDefault("sasl.jaas.config", ""));
        if (protocol.startsWith("SASL") && user.find()) {
            return "User:" + user.group(1);
        }
        return protocol.equals("PLAINTEXT") ? "User:ANONYMOUS" : "User:<the producer's principal>";
    }

    /** Whether a property's value is a credential: Kafka's PASSWORD type, or a name that says so. */
    static boolean isSecret(String key) {
        ConfigDef.ConfigKey known = ProducerConfig.configDef().configKeys().get(key);
        return (known != null && known.type == ConfigDef.Type.PASSWORD)
                || SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /** Properties the producer does not know: most likely typos (Kafka itself only logs them). */
    static Set<String> unknown(Map<String, String> properties) {
        Set<String> known = ProducerConfig.configNames();
        return properties.keySet().stream().filter(k -> !known.contains(k))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** The properties as {@code check-config} prints them, credentials masked. */
    Map<String, Object> renderedProperties() {
        Map<String, Object> out = new LinkedHashMap<>();
        new java.util.TreeMap<>(properties).forEach((k, v) -> out.put(k, isSecret(k)
                ? new io.pgobserver.domain.observer.Secret(v) : v));
        return out;
    }
}
