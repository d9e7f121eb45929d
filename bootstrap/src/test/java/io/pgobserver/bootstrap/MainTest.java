package io.pgobserver.bootstrap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private final String before = System.getProperty(Main.NO_DELAY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Main.NO_DELAY);
        } else {
            System.setProperty(Main.NO_DELAY, before);
        }
    }

    @Test
    void theHttpServerAnswersWithNaglesAlgorithmOffUnlessTheCommandLineSaysOtherwise() {
        System.clearProperty(Main.NO_DELAY);
        Main.serveWithoutNagle();
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");

        System.setProperty(Main.NO_DELAY, "false");
        Main.serveWithoutNagle();
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).as("-Dsun.net.httpserver.nodelay=false kept")
                .isEqualTo("false");
    }
}
