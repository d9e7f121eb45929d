package io.pgobserver.adapters.conditions.cel;

import com.google.inject.Guice;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CelConditionCompilerTest {

    private final ConditionCompiler compiler = Guice.createInjector(new CelConditionsModule())
            .getInstance(ConditionCompiler.class);

    private boolean matches(String expression, ChangeEvent event) throws Condition.ConditionException {
        return compiler.compile("order_shipped", expression).matches(event);
    }

    private static ChangeEvent updated(Map<String, Object> before, Map<String, Object> after) {
        return Events.event(1, "42", ChangeKind.UPDATED, before, after);
    }

    private static ChangeEvent after(String field, Object value) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", 42);
        row.put(field, value);
        return updated(Map.of("id", 42), row);
    }

    @Test
    void isFoundByServiceLoaderWithItsNameAndCapability() {
        Adapter adapter = ServiceLoader.load(Adapter.class).stream().map(ServiceLoader.Provider::get)
                .filter(a -> a.name().equals("adapters-conditions-cel")).findFirst().orElseThrow();
        assertThat(adapter).isInstanceOf(CelConditionsModule.class);
        assertThat(adapter.provides()).containsExactly(Adapter.Capability.CONDITIONS);
    }

    @Test
    void blankConditionAlwaysMatches() {
        assertThat(compiler.compile("o", "  ")).isSameAs(Condition.ALWAYS);
        assertThat(compiler.compile("o", null)).isSameAs(Condition.ALWAYS);
    }

    @Test
    void seesBeforeAfterAndEvent() throws Exception {
        ChangeEvent event = Events.updated(7, "order-9", "paid", "shipped");
        assertThat(matches("after.status == 'shipped' && before.status != 'shipped'", event)).isTrue();
        assertThat(matches("after.status == 'shipped' && before.status == 'shipped'", event)).isFalse();
        assertThat(matches("event.entity_type == 'public.orders' && event.entity_id == 'order-9'", event)).isTrue();
        assertThat(matches("event.id == '" + event.id() + "'", event)).isTrue();
        assertThat(matches("event.occurred_at == '2026-01-01T00:00:00.007Z'", event)).isTrue();
        assertThat(matches("timestamp(event.occurred_at) > timestamp('2025-12-31T00:00:00Z')", event)).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"CREATED, created", "UPDATED, updated", "DELETED, deleted"})
    void kindIsTheWireName(ChangeKind kind, String wireName) throws Exception {
        ChangeEvent event = Events.event(1, "1", kind, Map.of("id", 1), Map.of("id", 1));
        assertThat(matches("event.kind == '" + wireName + "'", event)).isTrue();
        assertThat(matches("event.kind == 'other'", event)).isFalse();
    }

    @Test
    void emptyRowImagesOnCreateAndDelete() throws Exception {
        ChangeEvent created = Events.event(1, "1", ChangeKind.CREATED, null, Map.of("id", 1));
        assertThat(matches("size(before) == 0 && after.id == 1", created)).isTrue();
        ChangeEvent deleted = Events.event(2, "1", ChangeKind.DELETED, Map.of("id", 1), null);
        assertThat(matches("size(after) == 0 && before.id == 1", deleted)).isTrue();
    }

    @Test
    void aBackfillsReadEventHasItsKindAndTheRowInAfter() throws Exception {
        ChangeEvent read = Events.event(3, "1", ChangeKind.READ, null, Map.of("id", 1, "status", "open"));
        assertThat(matches("event.kind == 'read' && after.status == 'open' && size(before) == 0", read)).isTrue();
        assertThat(matches("event.kind != 'read'", read)).isFalse();
    }

    @Test
    void numbersCompareAcrossIntegersAndDecimals() throws Exception {
        assertThat(matches("after.total > 100", after("total", 150.5))).isTrue();
        assertThat(matches("after.total > 100", after("total", new BigDecimal("150.5")))).isTrue();
        assertThat(matches("after.total > 100", after("total", new BigDecimal("99.99")))).isFalse();
        assertThat(matches("after.total > 100.0", after("total", 150))).isTrue();
        assertThat(matches("after.total >= 150", after("total", 150.0f))).isTrue();
        assertThat(matches("after.qty == 3", after("qty", 3L))).isTrue();
        assertThat(matches("after.qty == 3", after("qty", 3))).isTrue();
        assertThat(matches("after.qty == 3", after("qty", 3.0))).isTrue();
        assertThat(matches("after.qty == 3", after("qty", new BigDecimal("3.0")))).isTrue();
        assertThat(matches("after.qty == 3.0", after("qty", 3))).isTrue();
        assertThat(matches("after.qty == 3", after("qty", 4))).isFalse();
        assertThat(matches("after.qty != 3", after("qty", 3.5))).isTrue();
        assertThat(matches("after.qty + 1 == 4", after("qty", (short) 3))).isTrue();
        assertThat(matches("after.id == 9007199254740993", after("id", new BigInteger("9007199254740993")))).isTrue();
        assertThat(matches("after.id == 9007199254740993", after("id", new BigDecimal("9007199254740993")))).isTrue();
    }

    @Test
    void nestedValuesAndListsAreConverted() throws Exception {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("zip", 12345);
        address.put("note", null);
        ChangeEvent event = updated(Map.of(), Map.of("address", address, "tags", List.of("a", "b"),
                "scores", List.of(1, 2.5, new BigDecimal("7"))));
        assertThat(matches("after.address.zip == 12345", event)).isTrue();
        assertThat(matches("after.address.note == null", event)).isTrue();
        assertThat(matches("'b' in after.tags", event)).isTrue();
        assertThat(matches("after.scores.exists(s, s > 7.0)", event)).isFalse();
        assertThat(matches("after.scores.exists(s, s > 2)", event)).isTrue();
    }

    @Test
    void jsonNullIsCelNull() throws Exception {
        assertThat(matches("after.shipped_at == null", after("shipped_at", null))).isTrue();
        assertThat(matches("after.shipped_at != null", after("shipped_at", null))).isFalse();
    }

    @Test
    void aMissingFieldIsFalseNotACrash() throws Exception {
        ChangeEvent event = after("status", "shipped");
        assertThat(matches("after.missing == 'x'", event)).isFalse();
        assertThat(matches("after.missing.deeper > 3", event)).isFalse();
        assertThat(matches("before.status == 'paid'", Events.event(1, "1", ChangeKind.CREATED, null, Map.of()))).isFalse();
        assertThat(matches("has(after.missing)", event)).isFalse();
        assertThat(matches("has(after.status)", event)).isTrue();
        assertThat(matches("!has(after.missing) && after.status == 'shipped'", event)).isTrue();
        assertThat(matches("after.missing == 'x' || after.status == 'shipped'", event)).isTrue();
    }

    /** The caller names the observer and the event (EvaluateCondition): the message says only what failed. */
    @Test
    void otherEvaluationErrorsSayWhatFailedAndLeaveTheObserverToTheCaller() {
        Condition condition = compiler.compile("order_shipped", "after.status > 3");
        assertThatThrownBy(() -> condition.matches(after("status", "shipped")))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageStartingWith("at '> 3': No matching overload")
                .hasMessageNotContaining("order_shipped");
        Condition division = compiler.compile("divider", "after.qty / 0 == 1");
        assertThatThrownBy(() -> division.matches(after("qty", 3)))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessage("at '/ 0 == 1': / by zero");
    }

    /**
     * CEL says "evaluation error at <input>:10: No matching overload for function '_>_'": an offset and an internal
     * name. The dead letter now shows the part of the condition that failed, and what usually causes it on rows.
     */
    @Test
    void anEvaluationErrorShowsThePartOfTheConditionThatFailedAndWhatANullColumnCannotDo() {
        Condition bigOrders = compiler.compile("big_orders", "after.id == 42 && after.total > 1000");
        assertThatThrownBy(() -> bigOrders.matches(after("total", null)))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageStartingWith("at '> 1000': No matching overload for function '_>_'")
                .hasMessageContaining("after.total is null; it is NULL in this row: write after.total != null && …")
                .hasMessageNotContaining("<input>");
        Condition division = compiler.compile("divider", "size('😀') == 2 || after.qty / 0 == 1");
        assertThatThrownBy(() -> division.matches(after("qty", 3)))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessage("at '/ 0 == 1': / by zero");
        Condition shipped = compiler.compile("shipped", "timestamp(after.shipped_at) > timestamp('2026-01-01T00:00:00Z')");
        assertThatThrownBy(() -> shipped.matches(after("shipped_at", null)))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageStartingWith("at 'timestamp(after.shipped_at) > …': No matching overload for "
                        + "function 'timestamp'");
    }

    @Test
    void aDynamicNonBooleanResultIsAnError() {
        Condition condition = compiler.compile("order_shipped", "after.status");
        assertThatThrownBy(() -> condition.matches(after("status", "shipped")))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessage("it gave a String, not true or false");
    }

    @Test
    void aDynamicBooleanResultIsUsed() throws Exception {
        assertThat(matches("after.active", after("active", true))).isTrue();
        assertThat(matches("after.active", after("active", false))).isFalse();
    }

    @Test
    void aSyntaxErrorIsABootErrorNamingTheObserverAndTheCelError() {
        assertThatThrownBy(() -> compiler.compile("order_shipped", "after.status == 'shipped' &&"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("observer 'order_shipped': condition does not compile: 1:29: mismatched "
                        + "input '<EOF>'")
                .hasMessageEndingWith(" (CEL compares with == and quotes text: after.status == 'shipped')")
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n"));
    }

    @Test
    void anUndeclaredVariableIsABootError() {
        assertThatThrownBy(() -> compiler.compile("order_shipped", "row.status == 'shipped'"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observer 'order_shipped'")
                .hasMessageContaining("undeclared reference to 'row'");
    }

    @Test
    void aNonBooleanResultTypeIsABootError() {
        assertThatThrownBy(() -> compiler.compile("totals", "1 + 2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observer 'totals'")
                .hasMessageContaining("must be true or false")
                .hasMessageContaining("int");
        assertThatThrownBy(() -> compiler.compile("names", "after.name + 'x'"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("observer 'names'");
        // Arithmetic on a column is typed dyn (an integer, or a double when one side is): still never a boolean.
        for (String number : List.of("after.total + 1", "after.total * 1.2", "-after.total", "after.a % 2",
                "after.first + after.last")) {
            assertThatThrownBy(() -> compiler.compile("totals", number)).as(number)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be true or false, but '" + number + "' gives ")
                    .hasMessageMatching(".* gives (a number|a sum \\(a number, text or a list\\)|int|double) "
                            + "\\(compare it.*");
        }
        assertThat(compiler.compile("flag", "after.paid")).as("a column alone may hold a boolean").isNotNull();
    }

    @Test
    void theCompiledConditionIsReusableAcrossEventsAndThreads() throws Exception {
        Condition condition = compiler.compile("big", "after.total > 100");
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger matched = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    try {
                        if (condition.matches(after("total", i))) {
                            matched.incrementAndGet();
                        }
                    } catch (Condition.ConditionException e) {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failed).hasValue(0);
        assertThat(matched).hasValue(4 * 399);
    }

    /** The columns a condition names, for run's check against the table: selects, has() and indexes alike. */
    @Test
    void theColumnsAConditionNames() {
        assertThat(compiler.compile("o", "after.status == 'shipped' && has(before.total) && after[\"odd col\"] > 1"
                + " && event.kind == 'updated' && size(after) > 2 && after.items.exists(i, i.qty > 1)").columns())
                .containsExactly("items", "odd col", "status", "total");
        assertThat(compiler.compile("o", "event.kind == 'created'").columns()).isEmpty();
    }
}
