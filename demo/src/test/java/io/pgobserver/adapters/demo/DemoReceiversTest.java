package io.pgobserver.adapters.demo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's summary line counts as people write counts: "1 email", "2 emails", "0 Slack messages". */
class DemoReceiversTest {

    @Test
    void oneOfAThingIsSingularAndAnyOtherCountPlural() {
        assertThat(DemoReceivers.counted(1, "email")).isEqualTo("1 email");
        assertThat(DemoReceivers.counted(2, "email")).isEqualTo("2 emails");
        assertThat(DemoReceivers.counted(0, "Slack message")).isEqualTo("0 Slack messages");
    }
}
