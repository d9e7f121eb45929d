package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class StandaloneConditionTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "status = 'open'",
            "(a = 1 or b = 2) and (c = 3)",
            "id in (select id from t where (x) > (1))",
            "note = ')' or note = '(' or note = ';' or note = '--' or note = '/*'",
            "note = 'it''s ) here'",
            "note = E'back\\' ) slash' and n = 1",
            "note = e'\\\\' and n = (1)",
            "\"odd ) name\" = 1",
            "\"we\"\"ird (\" = 1",
            "note = $$ ) ; -- $$",
            "note = $tag$ a $$ ) $tag$ and n = 2",
            "a$b = 1 and c$$ = 2",
            "n = $1",
            "n = 1 /* a ) comment */ and m = 2",
            "n = 1 /* nested /* ) */ still ( */ and m = 2",
            "n = 1 -- a ) comment\nand m = 2",
            "n = 1 -- ends at a carriage return\r"
    })
    void aConditionThatStandsAloneIsAccepted(String condition) {
        assertThat(StandaloneCondition.problem(condition)).as(condition).isEmpty();
    }

    @Test
    void aParenthesisClosedThatItDidNotOpenIsNamed() {
        assertThat(StandaloneCondition.problem("1=1) or (1=1")).hasValue(
                "a ')' that closes a parenthesis the condition did not open (character 4)");
        assertThat(StandaloneCondition.problem("(a) ) or ((b)")).get().asString().contains("did not open");
    }

    @Test
    void parenthesesLeftOpenAreCounted() {
        assertThat(StandaloneCondition.problem("((a = 1")).hasValue("2 parentheses left open");
        assertThat(StandaloneCondition.problem("(a = ')'")).hasValue("1 parenthesis left open");
        assertThat(StandaloneCondition.problem("(\"(\" = 1")).hasValue("1 parenthesis left open");
    }

    @Test
    void aSemicolonOutsideLiteralsIsRefused() {
        assertThat(StandaloneCondition.problem("1=1; delete from orders")).hasValue(
                "a ';', which would end the chunk's statement (character 4)");
    }

    @Test
    void aCommentThatWouldSwallowTheRestIsRefused() {
        assertThat(StandaloneCondition.problem("1=1 -- the rest")).get().asString()
                .startsWith("a -- comment (end it with a line break) that is never closed");
        assertThat(StandaloneCondition.problem("1=1 /* open")).get().asString()
                .startsWith("a /* comment that is never closed");
        assertThat(StandaloneCondition.problem("1=1 /* nested /* */ still open")).get().asString()
                .startsWith("a /* comment that is never closed");
    }

    @Test
    void aQuoteLeftOpenIsRefused() {
        assertThat(StandaloneCondition.problem("note = 'open")).get().asString()
                .startsWith("a string literal that is never closed").endsWith("(character 8)");
        assertThat(StandaloneCondition.problem("note = E'x\\') or (1=1")).get().asString()
                .startsWith("a string literal that is never closed");
        assertThat(StandaloneCondition.problem("\"open = 1")).get().asString()
                .startsWith("a quoted identifier that is never closed");
        assertThat(StandaloneCondition.problem("note = $q$ open $$")).get().asString()
                .startsWith("a dollar quote that is never closed");
    }

    @Test
    void aBackslashEscapesOnlyInAnEscapeString() {
        // In a plain literal a backslash is a character (standard_conforming_strings), so the ')' after it counts.
        assertThat(StandaloneCondition.problem("note = 'x\\') or (1=1")).get().asString().contains("did not open");
        // A word ending in e before a quote is a word, then a plain literal.
        assertThat(StandaloneCondition.problem("note = somee'x\\') or (1=1")).get().asString()
                .contains("did not open");
    }
}
