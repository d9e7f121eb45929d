package io.pgobserver.domain.event;

import io.pgobserver.domain.trace.TraceContext;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an event says it holds in memory: counted while its images are frozen, close to what the heap holds for a
 * row of scalars, a long text and a document of many small objects alike, and the frozen images behave as the
 * unmodifiable maps they were.
 */
class ApproximateBytesTest {

    private static ChangeEvent event(Map<String, Object> before, Map<String, Object> after) {
        return new ChangeEvent("e-1", new Position(1, 1), "public.orders", "42", ChangeKind.UPDATED, before, after,
                Instant.EPOCH, TraceContext.NONE);
    }

    /** An order and its lines, about a hundred bytes of JSON a line. */
    private static Map<String, Object> document(int lines) {
        List<Object> items = new ArrayList<>();
        for (int g = 1; g <= lines; g++) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("qty", (long) g);
            line.put("sku", "%032x".formatted(g * 7919L));
            line.put("gift", g % 7 == 0);
            line.put("note", "line " + g + " of 3");
            items.add(line);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("id", 42L);
        doc.put("lines", items);
        return doc;
    }

    @Test
    void anEventWithoutImagesCountsItsOwnPartsOnly() {
        assertThat(event(null, null).approximateBytes()).isEqualTo(ChangeEvent.EVENT_BYTES);
    }

    @Test
    void aLongTextCountsAboutItsLength() {
        long bytes = event(null, Map.of("id", 1L, "body", "x".repeat(100_000))).approximateBytes();
        assertThat(bytes).isBetween(100_000L, 102_000L);
    }

    /**
     * A numeric of PostgreSQL's most digits before the point (131,072) holds them in its unscaled BigInteger: 435,416
     * bits, an int[] of 54,428 bytes, which a fixed size per number counted as 48.
     */
    @Test
    void aNumericOfThousandsOfDigitsCountsItsMagnitude() {
        long small = event(null, Map.of("n", new BigDecimal("12.10"))).approximateBytes();
        BigDecimal huge = new BigDecimal(BigInteger.TEN.pow(131_073).subtract(BigInteger.ONE), 1); // 99…9.9
        long magnitude = (huge.unscaledValue().bitLength() + 31) / 32 * 4L;
        assertThat(magnitude).isEqualTo(54_428);
        assertThat(event(null, Map.of("n", huge)).approximateBytes() - small).isBetween(magnitude, magnitude + 100);
        assertThat(event(null, Map.of("n", huge.negate())).approximateBytes() - small)
                .isBetween(magnitude, magnitude + 100);
        assertThat(event(null, Map.of("n", huge.unscaledValue())).approximateBytes() - small)
                .isBetween(magnitude, magnitude + 100);
        assertThat(event(null, Map.of("n", new BigDecimal("99999999999999999999"))).approximateBytes())
                .as("a number just past a long's range").isGreaterThan(small);
    }

    @Test
    void aDocumentOfSmallObjectsCountsWhatItsMapsTakeNotItsJsonLength() {
        // 1,000 lines of about 95 bytes of JSON each: about 478 KB of heap once parsed and frozen, five times the
        // JSON (measured as the heap used, after collections, before and after holding 200 such images).
        long bytes = event(null, document(1_000)).approximateBytes();
        assertThat(bytes).isBetween(420_000L, 540_000L);
        assertThat(event(document(1_000), document(1_000)).approximateBytes())
                .isEqualTo(2 * bytes - ChangeEvent.EVENT_BYTES);
    }

    @Test
    void theCountIsMadeOnceAndAgreesWithAWalkOfTheSameTree() {
        Map<String, Object> frozen = JsonValues.immutableMap(document(50));
        Map<String, Object> plain = new LinkedHashMap<>(frozen);
        assertThat(JsonValues.immutableMap(frozen)).as("frozen already: kept as it is").isSameAs(frozen);
        assertThat(JsonValues.approximateBytes(plain)).isEqualTo(JsonValues.approximateBytes(frozen));
        assertThat(JsonValues.approximateBytes(Map.of())).isZero();
        assertThat(JsonValues.approximateBytes(null)).isZero();
        assertThat(JsonValues.approximateBytes(JsonValues.immutableMap(Map.of("n", new BigDecimal("1.10")))))
                .isGreaterThan(JsonValues.approximateBytes(JsonValues.immutableMap(Map.of("n", 1L))));
    }

    @Test
    void aFrozenImageIsAnUnmodifiableMapInKeyOrder() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("b", 2L);
        source.put("a", List.of(1L, Map.of("x", "y")));
        Map<String, Object> frozen = JsonValues.immutableMap(source);

        assertThat(frozen).isEqualTo(source).hasSameHashCodeAs(source);
        assertThat(frozen.toString()).isEqualTo(source.toString());
        assertThat(frozen.keySet()).containsExactly("b", "a");
        assertThat(frozen.get("b")).isEqualTo(2L);
        assertThat(frozen.getOrDefault("c", "none")).isEqualTo("none");
        assertThat(frozen.containsKey("a")).isTrue();
        assertThat(frozen.containsValue(2L)).isTrue();
        List<Runnable> changes = List.of(() -> frozen.put("c", 1L), () -> frozen.remove("b"), frozen::clear,
                () -> frozen.putAll(Map.of("c", 1L)), () -> frozen.putIfAbsent("b", 1L),
                () -> frozen.remove("b", 2L), () -> frozen.replace("b", 3L), () -> frozen.replace("b", 2L, 3L),
                () -> frozen.replaceAll((k, v) -> v), () -> frozen.computeIfAbsent("b", k -> 1L),
                () -> frozen.computeIfPresent("b", (k, v) -> v), () -> frozen.compute("b", (k, v) -> v),
                () -> frozen.merge("b", 1L, (a, b) -> a), () -> frozen.entrySet().iterator().next().setValue(1L),
                () -> frozen.keySet().remove("b"), () -> frozen.values().clear());
        for (Runnable change : changes) {
            assertThatThrownBy(change::run).isInstanceOf(UnsupportedOperationException.class);
        }
        assertThatThrownBy(() -> ((List<?>) frozen.get("a")).clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(frozen).isEqualTo(source);
    }
}
