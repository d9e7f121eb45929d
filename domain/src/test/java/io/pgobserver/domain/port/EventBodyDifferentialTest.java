package io.pgobserver.domain.port;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EventBody} writes what Jackson (the webhook's serializer before the body moved beside the port) writes for
 * the same tree, byte for byte: escapes, numbers of every kind the postgres adapter reads, nesting, nulls.
 */
class EventBodyDifferentialTest {

    private static final JsonMapper JACKSON = JsonMapper.builder()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    @Test
    void writesWhatJacksonWritesForRowImages() throws Exception {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", 42L);
        after.put("status", "shipped \"now\" \\ \n\t\r\b\f \u0001 \u001f \u007f é 中 😀 </script>");
        after.put("total", new BigDecimal("1E+3"));
        after.put("tiny", new BigDecimal("0.000000000000000000001"));
        after.put("huge", new BigDecimal(new BigInteger("123456789012345678901234567890")));
        after.put("ratio", 12.1);
        after.put("big_double", 1.0E21);
        after.put("small_double", 1.0E-7);
        after.put("negative_zero", -0.0);
        after.put("flag", true);
        after.put("nothing", null);
        after.put("tags", List.of("a", 1L, false, Map.of("k", List.of())));
        after.put("nested", Map.of("deep", Arrays.asList(null, 2.5, "x")));
        ActionRequest request = new ActionRequest(Events.event(7, "42", ChangeKind.CREATED, Map.of(), after),
                "order_shipped", new TestAction(), 0, 1, "delivery-1");

        byte[] ours = EventBody.json(request);

        assertThat(new String(ours, StandardCharsets.UTF_8))
                .isEqualTo(jackson(EventBody.tree(request)))
                .startsWith("{\"event_id\":\"" + request.event().id() + "\",\"entity_type\":\"public.orders\","
                        + "\"entity_id\":\"42\",\"kind\":\"created\",\"before\":null,\"after\":{\"id\":42,")
                .contains("\"total\":1000", "\"tiny\":0.000000000000000000001")
                .endsWith("\"occurred_at\":\"2026-01-01T00:00:00.007Z\",\"observer\":\"order_shipped\"}");
    }

    @Test
    void writesWhatJacksonWritesForRandomStrings() throws Exception {
        Random random = new Random(19);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = random.nextInt(20); j > 0; j--) {
                // Control characters, ASCII, the Basic Multilingual Plane and beyond it (surrogate pairs).
                int c = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x20);
                    case 1 -> 0x20 + random.nextInt(0x60);
                    case 2 -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                    default -> 0xA0 + random.nextInt(0xD800 - 0xA0);
                };
                s.appendCodePoint(c);
            }
            List<Object> tree = new ArrayList<>(List.of(s.toString(), Map.of(s.toString(), random.nextLong()),
                    random.nextDouble() * Math.pow(10, random.nextInt(40) - 20)));
            assertThat(new String(EventBody.write(tree), StandardCharsets.UTF_8))
                    .isEqualTo(jackson(tree));
        }
    }

    /** What the webhook sent before: Jackson's UTF-8 writer. */
    private static String jackson(Object tree) throws Exception {
        return new String(JACKSON.writeValueAsBytes(tree), StandardCharsets.UTF_8);
    }

    private record TestAction() implements io.pgobserver.domain.observer.ActionSpec {
        @Override
        public String type() {
            return "test";
        }

        @Override
        public String describe() {
            return "test";
        }
    }
}
