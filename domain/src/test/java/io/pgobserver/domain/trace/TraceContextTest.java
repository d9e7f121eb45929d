package io.pgobserver.domain.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code traceparent} parsing and formatting as the W3C Trace Context recommendation (level 1) asks. */
class TraceContextTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final String VALID = "00-" + TRACE_ID + "-" + SPAN_ID + "-01";

    private static TraceContext parsed(String header) {
        Optional<TraceContext> context = TraceContext.parse(header);
        assertThat(context).as("parse(%s)", header).isPresent();
        return context.orElseThrow();
    }

    private static void assertRejected(String header) {
        assertThat(TraceContext.parse(header)).as("parse(%s)", header).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, 4bf92f3577b34da6a3ce929d0e0e4736, 00f067aa0ba902b7, 1, true",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00, 4bf92f3577b34da6a3ce929d0e0e4736, 00f067aa0ba902b7, 0, false",
        "00-00000000000000000000000000000001-0000000000000001-00, 00000000000000000000000000000001, 0000000000000001, 0, false",
        "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-03, ffffffffffffffffffffffffffffffff, ffffffffffffffff, 3, true",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02, 0af7651916cd43dd8448eb211c80319c, b7ad6b7169203331, 2, false",
    })
    void validVersion00HeadersRoundTrip(String header, String traceId, String spanId, byte flags, boolean sampled) {
        TraceContext context = parsed(header);

        assertThat(context.traceId()).isEqualTo(traceId);
        assertThat(context.spanId()).isEqualTo(spanId);
        assertThat(context.flags()).isEqualTo(flags);
        assertThat(context.isSampled()).isEqualTo(sampled);
        assertThat(context.isValid()).isTrue();
        assertThat(context.traceState()).isEqualTo(TraceState.EMPTY);
        assertThat(context.traceparent()).isEqualTo(header);
        assertThat(context.toString()).isEqualTo(header);
    }

    /** Level 2 defines sampled (01) and random trace id (02); the other bits are reserved and set to zero. */
    @ParameterizedTest
    @CsvSource({
        "ff, 03, true", "fd, 01, true", "09, 01, true", "81, 01, true", "fe, 02, false", "a0, 00, false", "04, 00, false",
    })
    void reservedFlagBitsAreIgnoredAndNotSentOn(String received, String sent, boolean sampled) {
        for (String version : new String[] {"00", "01"}) {
            TraceContext context = parsed(version + "-" + TRACE_ID + "-" + SPAN_ID + "-" + received);

            assertThat(context.isSampled()).as(received).isEqualTo(sampled);
            assertThat(context.flags()).as(received).isEqualTo((byte) Integer.parseInt(sent, 16));
            assertThat(context.traceparent()).isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-" + sent);
        }
        assertThat(new TraceContext(TRACE_ID, SPAN_ID, (byte) Integer.parseInt(received, 16), null).traceparent())
                .as("built, not parsed").endsWith("-" + sent);
    }

    /** With tracing off, the writer's own context goes downstream: its reserved bits must not go with it. */
    @Test
    void withTracingOffTheWritersContextIsSentOnWithoutReservedBits() {
        Map<String, String> headers = new HashMap<>();

        Span.noop().propagate(parsed("00-" + TRACE_ID + "-" + SPAN_ID + "-ff"), headers::put);

        assertThat(headers).containsExactly(Map.entry("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-03"));
    }

    /** As an HTTP server hands a header over: spaces and tabs around the value are not part of it (RFC 9110). */
    @ParameterizedTest
    @ValueSource(strings = {" ", "\t", "  \t ", "\t\t"})
    void spacesAndTabsAroundTheValueAreNotPartOfIt(String ows) {
        for (String header : new String[] {VALID, "01-" + TRACE_ID + "-" + SPAN_ID + "-01-xyz"}) {
            for (String surrounded : new String[] {ows + header, header + ows, ows + header + ows}) {
                TraceContext context = parsed(surrounded);

                assertThat(context.traceId()).isEqualTo(TRACE_ID);
                assertThat(context.traceparent()).isEqualTo(VALID);
            }
        }
        assertThat(TraceContext.parse(ows + VALID + ows, " rojo=1 ").orElseThrow().tracestate()).isEqualTo("rojo=1");
    }

    /** Only spaces and tabs: other whitespace cannot come from an HTTP header, and a space inside is a wrong delimiter. */
    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\u00a0", "\u000b", "\f", "\u2003"})
    void otherWhitespaceAroundTheValueIsRejected(String whitespace) {
        assertRejected(whitespace + VALID);
        assertRejected(VALID + whitespace);
        assertRejected("00- " + TRACE_ID + "-" + SPAN_ID + "-01");
        assertRejected("00-" + TRACE_ID + "-" + SPAN_ID + "- 01");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // everything upper case
        "00-4bf92f3577b34da6a3ce929d0e0e473A-00f067aa0ba902b7-01", // one trace id digit
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902B7-01", // one span id digit
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A", // flags
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version
        "CC-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // higher version
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A-xyz",
    })
    void upperCaseHexIsRejected(String header) {
        assertRejected(header);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-00000000000000000000000000000000-0000000000000000-00",
        "cc-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01-xyz",
    })
    void allZeroIdsAreRejected(String header) {
        assertRejected(header);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
    })
    void versionFfIsRejected(String header) {
        assertRejected(header);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-", "-xyz", "-01", "x", "0", " x", "\t-", "-00f067aa0ba902b7"})
    void version00WithTrailingDataIsRejected(String trailer) {
        assertRejected(VALID + trailer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "02", "7f", "cc", "fe"})
    void higherVersionIsReadByItsFirstFourFields(String version) {
        for (String trailer : new String[] {"", "-", "-xyz", "-what-ever-comes-next", "-XYZ.;!"}) {
            String header = version + "-" + TRACE_ID + "-" + SPAN_ID + "-01" + trailer;
            TraceContext context = parsed(header);

            assertThat(context.traceId()).as(header).isEqualTo(TRACE_ID);
            assertThat(context.spanId()).as(header).isEqualTo(SPAN_ID);
            assertThat(context.isSampled()).as(header).isTrue();
            assertThat(context.traceparent()).as("downgraded to version 00").isEqualTo(VALID);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "xyz", "0", "1-", " -xyz", "_xyz", ".", "\u00e9"})
    void higherVersionWithTrailingDataNotStartingWithDashIsRejected(String trailer) {
        assertRejected("cc-" + TRACE_ID + "-" + SPAN_ID + "-01" + trailer);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", // 54 characters
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-", // no flags
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags field
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // 31-digit trace id
        "00-4bf92f3577b34da6a3ce929d0e0e47360-00f067aa0ba902b7-01", // 33-digit trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", // 15-digit span id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b70-01", // 17-digit span id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001", // 3-digit flags
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // 1-digit version
        "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // 3-digit version
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", // higher version, 54 characters
        "cc-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01-xyz", // higher version, 31-digit trace id
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001", // higher version, 3-digit flags
    })
    void wrongFieldLengthsAreRejected(String header) {
        assertRejected(header);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00 4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7 01",
        "00.4bf92f3577b34da6a3ce929d0e0e4736.00f067aa0ba902b7.01",
        "004bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7+01-xyz",
    })
    void wrongDelimitersAreRejected(String header) {
        assertRejected(header);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0g", "g0", "zz", "-1", "+1", " 1", "1 ", "0x", "\u00e90"})
    void nonHexFlagsAreRejected(String flags) {
        assertRejected("00-" + TRACE_ID + "-" + SPAN_ID + "-" + flags);
        assertRejected("cc-" + TRACE_ID + "-" + SPAN_ID + "-" + flags + "-xyz");
    }

    @ParameterizedTest
    @ValueSource(strings = {"g", "z", " ", "-", "\u0660"}) // U+0660 is a digit to Character.digit, not hex to W3C
    void nonHexIdDigitsAreRejected(String digit) {
        assertRejected("00-" + TRACE_ID.substring(0, 31) + digit + "-" + SPAN_ID + "-01");
        assertRejected("00-" + TRACE_ID + "-" + digit + SPAN_ID.substring(1) + "-01");
        assertRejected(digit + "0-" + TRACE_ID + "-" + SPAN_ID + "-01");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "00", "garbage"})
    void absentOrBlankHeadersAreNotAContext(String header) {
        assertRejected(header);
        assertThat(TraceContext.parse(header, "congo=t61rcWkgMzE")).isEmpty();
    }

    @Test
    void formattingAlwaysEmitsVersion00() {
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, true).traceparent()).isEqualTo(VALID);
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, false).traceparent())
                .isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-00");
        assertThat(parsed("fe-" + TRACE_ID + "-" + SPAN_ID + "-03-later").traceparent())
                .isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-03");
        assertThat(new TraceContext(TRACE_ID, SPAN_ID, (byte) 0xb3, null).traceparent())
                .isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-03");
    }

    @Test
    void sampledIsTheLowestFlagBit() {
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, true).isSampled()).isTrue();
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, true).flags()).isEqualTo(TraceContext.FLAG_SAMPLED);
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, false).isSampled()).isFalse();
        assertThat(TraceContext.of(TRACE_ID, SPAN_ID, false).flags()).isZero();
        assertThat(new TraceContext(TRACE_ID, SPAN_ID, (byte) 0xfe, null).isSampled()).isFalse();
        assertThat(new TraceContext(TRACE_ID, SPAN_ID, (byte) 0x03, null).isSampled()).isTrue();
    }

    @Test
    void tracestateIsKeptBesideAValidParentOnly() {
        TraceContext context = TraceContext.parse(VALID, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE").orElseThrow();
        assertThat(context.traceState().get("rojo")).contains("00f067aa0ba902b7");
        assertThat(context.traceState().get("congo")).contains("t61rcWkgMzE");
        assertThat(context.tracestate()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");

        assertThat(TraceContext.parse("ff" + VALID.substring(2), "rojo=1")).isEmpty();
    }

    @Test
    void anInvalidTracestateDoesNotInvalidateTheParent() {
        TraceContext context = TraceContext.parse(VALID, "Rojo=1,congo=2").orElseThrow();

        assertThat(context.traceId()).isEqualTo(TRACE_ID);
        assertThat(context.traceState()).isEqualTo(TraceState.EMPTY);
        assertThat(context.tracestate()).isEmpty();
    }

    @Test
    void withTraceStateReplacesTheStateOnly() {
        TraceContext context = TraceContext.of(TRACE_ID, SPAN_ID, true).withTraceState(TraceState.parse("a=1"));

        assertThat(context.tracestate()).isEqualTo("a=1");
        assertThat(context.traceparent()).isEqualTo(VALID);
    }

    @ParameterizedTest
    @CsvSource({
        "4BF92F3577B34DA6A3CE929D0E0E4736, 00f067aa0ba902b7",
        "4bf92f3577b34da6a3ce929d0e0e473, 00f067aa0ba902b7",
        "4bf92f3577b34da6a3ce929d0e0e4736, 00F067AA0BA902B7",
        "4bf92f3577b34da6a3ce929d0e0e4736, 00f067aa0ba902b",
        "00000000000000000000000000000000, 00f067aa0ba902b7",
        "4bf92f3577b34da6a3ce929d0e0e4736, 0000000000000000",
        "4bf92f3577b34da6a3ce929d0e0e473g, 00f067aa0ba902b7",
    })
    void theConstructorRejectsInvalidIds(String traceId, String spanId) {
        assertThatThrownBy(() -> TraceContext.of(traceId, spanId, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TraceContext.isValidTraceId(traceId) && TraceContext.isValidSpanId(spanId)).isFalse();
    }

    @Test
    void noneIsNotAValidContext() {
        assertThat(TraceContext.NONE.isValid()).isFalse();
        assertThat(TraceContext.NONE.isSampled()).isFalse();
        assertThat(TraceContext.NONE.toString()).isEqualTo("none");
        assertThat(TraceContext.NONE.tracestate()).isEmpty();
        assertThat(TraceContext.isValidTraceId(null)).isFalse();
        assertThat(TraceContext.isValidSpanId(null)).isFalse();
    }
}
