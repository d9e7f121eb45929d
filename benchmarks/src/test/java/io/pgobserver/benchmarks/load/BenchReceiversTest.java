package io.pgobserver.benchmarks.load;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BenchReceiversTest {

    @Test
    void readsTheRowIdFromTheWebhookBody() {
        byte[] body = "{\"event_id\":\"e\",\"entity_type\":\"public.bench_orders\",\"entity_id\":\"1234\",\"kind\":\"created\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(BenchReceivers.entityId(body)).isEqualTo(1234);
        assertThat(BenchReceivers.entityId("{\"entity_id\":\"x\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(BenchReceivers.entityId("{}".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
    }
}
