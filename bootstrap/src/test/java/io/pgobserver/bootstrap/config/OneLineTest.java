package io.pgobserver.bootstrap.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one helper behind every one-line message: errors, dead-letter reasons, YAML problems. */
class OneLineTest {

    @Test
    void eachLineBreakAndTheBlanksAroundItBecomeOneSpaceWhileBlanksWithinALineStay() {
        assertThat(OneLine.of("  found undefined field 'total'  \r\n   | after.total > 5\n\t|       ^  \n"))
                .isEqualTo("found undefined field 'total' | after.total > 5 |       ^");
    }

    @Test
    void textOnOneLineKeepsItsInnerBlanks() {
        assertThat(OneLine.of("HTTP 503:  try  later")).isEqualTo("HTTP 503:  try  later");
    }

    @Test
    void noTextIsAnEmptyLine() {
        assertThat(OneLine.of(null)).isEmpty();
    }
}
