package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The warning for a writer's invalid traceparent, as the operator reads it. */
class InvalidTraceContextsTest {

    @Test
    void theWarningNamesTheRowTheValueWhatIsWrongAndThatTheEventWentOnInANewTrace() {
        String upper = "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01";

        assertThat(InvalidTraceContexts.warning(81733, "public.orders 42", upper, 0)).isEqualTo("change_log row 81733"
                + " (public.orders 42) carries traceparent '" + upper + "', which is not a W3C trace context: its trace"
                + " id has upper-case hex digits, where W3C allows lowercase only. Its event goes on in a new trace of"
                + " its own, not the writer's. A valid one is 00-, 32 lowercase hex digits (the trace id), -, 16"
                + " lowercase hex digits (the span id), -, 2 lowercase hex digits (the flags), neither id all zeros:"
                + " fix what the writer sets as pgobserver.traceparent");
    }

    @Test
    void theFlagsMustBeLowercaseHexAsTheIdsAre() {
        String flags = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0A";

        assertThat(InvalidTraceContexts.warning(7, "public.orders 1", flags, 0))
                .contains("'" + flags + "', which is not a W3C trace context: its flags field has upper-case hex digits,"
                        + " where W3C allows lowercase only.", "2 lowercase hex digits (the flags)")
                .doesNotContain("2 hex digits");
    }

    @Test
    void aLineBreakShownAsAQuestionMarkIsNamedAndTheRowsSinceAreCounted() {
        String broken = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\n";

        assertThat(InvalidTraceContexts.warning(9, "public.orders 3", broken, 41))
                .contains("'00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01?', which is not a W3C trace"
                        + " context: it contains a line break (\\n), which no traceparent has.")
                .endsWith("pgobserver.traceparent (41 more such rows since the last warning)");
    }
}
