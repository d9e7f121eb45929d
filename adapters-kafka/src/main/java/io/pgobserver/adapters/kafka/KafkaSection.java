package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.spi.ConfigReader;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code kafka:} section: {@code bootstrap_servers}, {@code client_id} and {@code properties} (passed through
 * to the producer). Always bound: an absent section binds settings without servers, and only a kafka action then
 * stops the boot (saying to set {@code kafka.bootstrap_servers}).
 */
final class KafkaSection implements ConfigSection<KafkaSettings> {

    @Override
    public String key() {
        return "kafka";
    }

    @Override
    public Class<KafkaSettings> type() {
        return KafkaSettings.class;
    }

    @Override
    public Map<String, String> environment() {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", "bootstrap_servers");
    }

    @Override
    public KafkaSettings read(ConfigReader section) {
        KafkaSettings settings = new KafkaSettings(section.strings("bootstrap_servers"),
                section.string("client_id", null), section.stringMap("properties"));
        section.finish();
        Set<String> unknown = KafkaSettings.unknown(settings.properties());
        if (!unknown.isEmpty()) {
            section.warn(section.key("properties") + ": " + unknown + " are not producer settings of this Kafka "
                    + "client; the producer ignores them (check the spelling)");
        }
        return settings;
    }

    @Override
    public Map<String, Object> render(KafkaSettings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bootstrap_servers", settings.bootstrapServers());
        out.put("client_id", settings.clientId());
        out.put("properties", settings.renderedProperties());
        return out;
    }
}
