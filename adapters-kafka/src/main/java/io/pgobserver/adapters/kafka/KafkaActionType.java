package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.ConfigReader;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The {@code kafka} action type: {@code topic}, {@code key} and {@code headers}. */
final class KafkaActionType implements ActionType<KafkaAction> {

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Class<KafkaAction> specType() {
        return KafkaAction.class;
    }

    @Override
    public KafkaAction read(ConfigReader a) {
        return new KafkaAction(a.requiredString("topic", "a topic name or template, e.g. orders.{{event.kind}}"),
                a.string("key", null), a.stringMap("headers"), a.tree("value"));
    }

    @Override
    public Map<String, Object> render(KafkaAction k) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", k.topic());
        out.put("key", k.key() == null ? "{{event.entity_id}}" : k.key());
        out.put("headers", new TreeMap<>(k.headers()));
        if (k.value() != null) {
            out.put("value", k.value());
        }
        return out;
    }
}
