package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void numbersKeepTheirValue() {
        Map<String, Object> map = Json.readObject("""
                {"int": 7, "big": 12345678901234567890123, "money": 12.10, "tiny": 1e-3,
                 "exact": 0.1000000000000000000000001, "neg": -5}
                """);
        assertThat(map.get("int")).isEqualTo(7L);
        assertThat(map.get("neg")).isEqualTo(-5L);
        assertThat(map.get("big")).isEqualTo(new BigDecimal("12345678901234567890123"));
        assertThat(map.get("money")).isEqualTo(12.1d);
        assertThat(map.get("tiny")).isEqualTo(0.001d);
        assertThat(map.get("exact")).isEqualTo(new BigDecimal("0.1000000000000000000000001"));
    }

    @Test
    void treesKeepNullsAndOrder() {
        Map<String, Object> map = Json.readObject("{\"b\": [true, null, {\"c\": \"x\"}], \"a\": null}");
        assertThat(map.keySet()).containsExactly("b", "a");
        assertThat(map).containsEntry("a", null);
        assertThat(map.get("b")).isEqualTo(Arrays.asList(true, null, Map.of("c", "x")));
    }

    @Test
    void absentImagesAreEmptyAndRoundTrip() {
        assertThat(Json.readObject(null)).isEmpty();
        assertThat(Json.readObject("null")).isEmpty();
        assertThat(Json.write(Map.of())).isNull();
        Map<String, Object> map = Json.readObject("{\"a\": 1, \"b\": [1.5, \"s\"]}");
        assertThat(Json.readObject(Json.write(map))).isEqualTo(map);
        assertThatThrownBy(() -> Json.readObject("[1]")).hasMessageContaining("JSON object");
    }
}
