package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void numbersKeepTheirValueAndTheDigitsWritten() {
        Map<String, Object> map = Json.readObject("""
                {"int": 7, "big": 12345678901234567890123, "money": 12.10, "round": 100.00, "tiny": 0.0000001,
                 "exact": 0.1000000000000000000000001, "neg": -5, "float_exp": 1e-07, "float_huge": 1.5e+300}
                """);
        assertThat(map.get("int")).isEqualTo(7L);
        assertThat(map.get("neg")).isEqualTo(-5L);
        assertThat(map.get("big")).isEqualTo(new BigDecimal("12345678901234567890123"));
        // BigDecimal's equals compares the scale too: 12.10 is not 12.1 here.
        assertThat(map.get("money")).isEqualTo(new BigDecimal("12.10"));
        assertThat(map.get("round")).isEqualTo(new BigDecimal("100.00"));
        assertThat(map.get("tiny")).isEqualTo(new BigDecimal("0.0000001"));
        assertThat(map.get("exact")).isEqualTo(new BigDecimal("0.1000000000000000000000001"));
        assertThat(map.get("float_exp")).isEqualTo(new BigDecimal("0.0000001"));
        assertThat(map.get("float_huge")).isEqualTo(1.5e300d);
    }

    @Test
    void aStoredImageKeepsTheDigitsWritten() {
        // Dead letters and parked events are written back to jsonb and read again for a replay.
        Map<String, Object> map = Json.readObject("{\"a\": [12.10, 100.00, 0.0000001, 0.0, 0.00000000000000000001]}");
        assertThat(Json.readObject(Json.write(map))).isEqualTo(map);
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
