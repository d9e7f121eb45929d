package io.pgobserver.adapters.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionAttemptsTest {

    /**
     * Each host of a multi-host URL gets its own connect timeout within one login: a first host that drops packets
     * must leave the next one time to answer.
     */
    @Test
    void anAttemptGivesEachHostOfTheUrlItsTime() {
        assertThat(ConnectionAttempts.loginTimeout("jdbc:postgresql://db:5432/shop")).isEqualTo("10");
        assertThat(ConnectionAttempts.loginTimeout("jdbc:postgresql:shop")).isEqualTo("10");
        assertThat(ConnectionAttempts.loginTimeout(
                "jdbc:postgresql://pg-a:5432,pg-b:5432,pg-c:5433/shop?targetServerType=primary")).isEqualTo("30");
    }
}
