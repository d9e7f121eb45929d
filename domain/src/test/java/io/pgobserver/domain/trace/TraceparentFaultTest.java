package io.pgobserver.domain.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the warning says is wrong with a writer's {@code traceparent}: the field and the rule, for each way to fail. */
class TraceparentFaultTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final String IDS = "-" + TRACE_ID + "-" + SPAN_ID + "-";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01 | its trace id has upper-case hex digits, where W3C allows lowercase only",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01 | its span id has upper-case hex digits, where W3C allows lowercase only",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A | its flags field has upper-case hex digits, where W3C allows lowercase only",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | its version has upper-case hex digits, where W3C allows lowercase only",
        "00-4BF92F3577B34DA6A3CE929D0E0E473-00f067aa0ba902b7-01 | its trace id has 31 digits, where W3C has 32, and upper-case hex digits, where W3C allows lowercase only",
        "00-4bf92f3577b34da6a3ce929d0e0e47360-00f067aa0ba902b7-01 | its trace id has 33 digits, where W3C has 32",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01 | its span id has 15 digits, where W3C has 16",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1 | its flags field has 1 digit, where W3C has 2",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-001 | its flags field has 3 digits, where W3C has 2",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7- | its flags field is empty, where W3C has 2 lowercase hex digits",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 | it has 3 fields where W3C has 4, separated by '-' (version-traceid-spanid-flags)",
        "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | it has no version: it must begin with 00-",
        "000-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | its version has 3 digits, where W3C has 2",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 | its version is ff, which W3C forbids",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01 | its trace id is all zeros, which W3C does not allow",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01 | its span id is all zeros, which W3C does not allow",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01 | its trace id has 'g', which is not a hex digit",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x | its flags field has 'x', which is not a hex digit",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz | it goes on after the flags, where version 00 ends with them",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01. | it goes on after the flags, where version 00 ends with them",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.xyz | it goes on after the flags with '.', where a later version's next field must begin with '-'",
        "00.4bf92f3577b34da6a3ce929d0e0e4736.00f067aa0ba902b7.01 | it has 1 field where W3C has 4, separated by '-' (version-traceid-spanid-flags)",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 01 | it has a space or tab inside it (only those around it are ignored)",
        "garbage | it has 1 field where W3C has 4, separated by '-' (version-traceid-spanid-flags)",
    })
    void namesTheFieldAndTheRuleItBreaks(String traceparent, String fault) {
        assertThat(TraceContext.parse(traceparent)).as("refused by the parser").isEmpty();

        assertThat(TraceparentFault.of(traceparent)).contains(fault);
    }

    @Test
    void namesTheCharacterTheLogShowsAsAQuestionMark() {
        assertThat(TraceparentFault.of("00" + IDS + "01\n")).contains("it contains a line break (\\n), which no traceparent has");
        assertThat(TraceparentFault.of("00" + IDS + "01\r\n")).contains("it contains a carriage return (\\r), which no traceparent has");
        assertThat(TraceparentFault.of("00" + IDS + "\u00a001")).contains("its flags field has U+00A0, which is not a hex digit");
        assertThat(TraceparentFault.of("00" + IDS + "01\u2003")).contains("it contains the character U+2003, which no traceparent has");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t", "00" + IDS + "01", " 00" + IDS + "01\t", "cc" + IDS + "01-what-ever", "00" + IDS + "ff"})
    void aValidOrAbsentValueHasNoFault(String traceparent) {
        assertThat(TraceparentFault.of(traceparent)).isEmpty();
    }
}
