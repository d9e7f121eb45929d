package io.pgobserver.adapters.conditions.cel;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.inject.Guice;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.testing.Events;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conditions over every column type the guide's row-image table names, on a row the capture trigger wrote
 * ({@code column-types-row.json}: PostgreSQL's {@code to_jsonb} of one row, the writer's time zone Asia/Kolkata);
 * {@code before} is the same table's row of SQL NULLs. What each condition gives is what the guide says.
 */
class ColumnTypesTest {

    private static final Map<String, Object> ROW = captured("/column-types-row.json");
    private static final ChangeEvent EVENT = Events.event(1, "1", ChangeKind.UPDATED, nulls(), ROW);

    private final ConditionCompiler compiler = Guice.createInjector(new CelConditionsModule())
            .getInstance(ConditionCompiler.class);

    /**
     * The row as Jackson reads it: CEL sees the same values from it as from the postgres adapter's row images (a
     * fraction is a {@code BigDecimal} with the scale written in both; it becomes a CEL double), and {@code PostgresChangeSourceIT.everyColumnTypeIsCapturedAsTheGuideSays} holds that the file is
     * what the capture trigger writes.
     */
    private static Map<String, Object> captured(String resource) {
        try (InputStream in = ColumnTypesTest.class.getResourceAsStream(resource)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> row = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .build().readValue(in, Map.class);
            return row;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> nulls() {
        Map<String, Object> nulls = new LinkedHashMap<>();
        ROW.keySet().forEach(column -> nulls.put(column, null));
        nulls.put("id", 2L);
        return nulls;
    }

    private boolean matches(String condition) throws Condition.ConditionException {
        return compiler.compile("types", condition).matches(EVENT);
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // numeric beyond a double, compared as a double; NaN and Infinity are text, read by double()
        "after.amount > 100 | true",
        "after.amount == 12345678901234567890.123456789 | true",
        "after.amount > 12345678901234567890.0 | false",
        "after.price == 100 && after.price > 99.99 | true",
        "after.tiny > 0.0 && after.tiny < 0.000001 | true",
        "after.amount_nan == 'NaN' && after.amount_inf == 'Infinity' | true",
        "double(after.amount_nan) > 100.0 | false",
        "double(after.amount_inf) > 100.0 && double(after.amount) > 100.0 | true",
        "after.doubled > after.amount | true",
        // arithmetic mixes an integer (a numeric without a fraction) and a double; two integers give an integer
        "after.amount * 2 > 100 && after.price + 1 == 101.0 && after.ratio - 3 < 0.2 | true",
        "after.quantity * 1.5 == 7.5 && after.quantity / 2 == 2 && after.quantity / 2.0 == 2.5 | true",
        "after.quantity - 0.5 == 4.5 && 10 / after.price == 0.1 | true",
        // bigint at its limits is exact
        "after.big == 9223372036854775807 && after.big_min == -9223372036854775808 | true",
        // real, double precision
        "after.ratio == 3.14 && after.measure > 1e299 | true",
        "after.measure_nan == 'NaN' && after.measure_inf == 'Infinity' && after.measure_ninf == '-Infinity' | true",
        "double(after.measure_ninf) < 0.0 | true",
        // boolean, text, bytea, uuid
        "after.active && after.active == true | true",
        "after.note.startsWith('it\\'s \"quoted\" \\\\ back\\nslash') && after.note.contains('😀') | true",
        "after.blob == r'\\xdeadbeef' && after.ref == 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' | true",
        // date, time, timestamp compare as text; timestamptz as a time
        "after.day >= '2026-01-02' && after.at_time > '03:00:00' && after.created_at > '2026-01-02T03:04:05' | true",
        "timestamp(after.day + 'T00:00:00Z') == timestamp('2026-01-02T00:00:00Z') | true",
        "timestamp(after.created_at + 'Z') > timestamp('2026-01-02T03:04:05Z') | true",
        "after.shipped_at == '2026-01-02T08:34:05+05:30' | true",
        "timestamp(after.shipped_at) == timestamp('2026-01-02T03:04:05Z') | true",
        "after.wait == '1 day 02:00:03.5' | true",
        // jsonb, composite types, arrays
        "after.payload.items[0].sku == 'A-1' && after.payload.items.exists(i, i.qty > 1) | true",
        "has(after.payload.discount) && after.payload.discount == null && after.payload_null == null | true",
        "after.payload.big == 12345678901234567890.0 | true",
        "after.address.zip == 12345 && after.address.street == 'Main St' | true",
        "2 in after.ints && size(after.ints) == 3 && after.ints[2] == null && 'urgent' in after.tags | true",
        "after.grid[1][0] == 3 && size(after.grid) == 2 | true",
        // enums, domains, inet, money
        "after.mood == 'happy' && after.quantity > 3 && after.ip == '192.168.0.1/24' | true",
        "after.cash == '$1,234.56' | true",
        // a value of another JSON type is never equal: no error, no match
        "after.id == '1' | false",
        "after.quantity == '5' | false",
        // SQL NULL in every column is null
        "before.amount == null && before.note == null && before.payload == null && before.ints == null | true",
        "before.amount != null && before.amount > 100 | false",
        "before.active == true | false",
        // the guide's other forms
        "after.ints.exists(i, i != null && i > 1) && after.created_at > '2026-01-01T09:00' | true",
        "after.amount == '12345678901234567890.123456789' | false",
        "after.shipped_at == '2026-01-02T03:04:05Z' | false",
    })
    void aConditionOnACapturedRowGivesWhatTheGuideSays(String condition, boolean expected) throws Exception {
        assertThat(matches(condition)).as(condition).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "after.amount_nan > 100 | after.amount_nan is the text 'NaN'; NaN and ±Infinity of numeric, real and "
                + "double precision columns are text: compare double(after.amount_nan)",
        "after.measure_inf > 1.5 | after.measure_inf is the text 'Infinity'; NaN and ±Infinity",
        "before.amount > 100 | before.amount is null; it is NULL in this row: write before.amount != null && …",
        "before.note.startsWith('x') | before.note is null; it is NULL in this row",
        "size(before.tags) > 0 | before.tags is null",
        "after.cash > 1000 | after.cash is text (9 characters); this column is text (money",
        "timestamp(after.created_at) > timestamp('2026-01-01T00:00:00Z') | after.created_at is text "
                + "(26 characters); a timestamp without time zone is text without an offset: "
                + "write timestamp(after.created_at + 'Z')",
        "timestamp(after.day) > timestamp('2026-01-01T00:00:00Z') | a date is text without a time or an offset: "
                + "write timestamp(after.day + 'T00:00:00Z')",
        "after.created_at > timestamp('2026-01-01T00:00:00Z') | after.created_at is text "
                + "(26 characters); a timestamp without time zone is text without an offset: write "
                + "timestamp(after.created_at + 'Z')",
        "after.shipped_at > timestamp('2026-01-01T00:00:00Z') | after.shipped_at is text "
                + "(25 characters); a timestamptz is text with the writer's offset: compare it as a time, "
                + "timestamp(after.shipped_at)",
        "duration(after.wait) > duration('1h') | after.wait is text (16 characters); an interval is "
                + "PostgreSQL's text, which duration() does not read",
        "before.amount * 2 > 100 | before.amount is null; it is NULL in this row",
        "before.active | it gave null, not true or false: before.active is null; compare it, such as "
                + "before.active == true",
    })
    void aConditionThatFailsOnARowNamesTheColumnWhatItHeldAndHowToWriteIt(String condition, String message) {
        assertThatThrownBy(() -> matches(condition))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageContaining(message);
    }

    /** The letter, the log line and the span's error name a column's kind, never the row's value in it. */
    @Test
    void aFailedConditionsMessageShowsNoValueOfTheRow() {
        assertThatThrownBy(() -> matches("after.cash > 1000"))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageNotContaining("1,234.56");
        assertThatThrownBy(() -> matches("duration(after.wait) > duration('1h')"))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessageNotContaining("02:00:03");
        for (String condition : List.of("timestamp(after.created_at) > timestamp('2026-01-01T00:00:00Z')",
                "timestamp(after.day) > timestamp('2026-01-01T00:00:00Z')", "int(after.cash) > 1000",
                "double(after.cash) > 1000.0")) {
            assertThatThrownBy(() -> matches(condition)).as(condition)
                    .isInstanceOf(Condition.ConditionException.class)
                    .hasMessageNotContaining("03:04:05").hasMessageNotContaining("1,234");
        }
    }

    @Test
    void theWaysTheGuideGivesAroundThoseFailuresWork() throws Exception {
        assertThat(matches("after.amount_nan != 'NaN' && after.amount_nan > 100")).isFalse();
        assertThat(matches("!has(before.note) || before.note == null || before.note.startsWith('x')")).isTrue();
    }

    /** A division by zero is not the column's fault: the message says only that. */
    @Test
    void aFailureThatNoColumnValueCausedIsNotBlamedOnOne() {
        assertThatThrownBy(() -> matches("after.quantity / 0 == 1"))
                .isInstanceOf(Condition.ConditionException.class)
                .hasMessage("at '/ 0 == 1': / by zero");
    }
}
