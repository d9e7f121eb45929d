package io.pgobserver.adapters.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Kafka's warning per reconnection attempt of the adapter's clients, logged as Kafka's LogContext logs it. */
class ReconnectWarningsTest {

    private static final String RECONNECT = "Connection to node -1 (localhost/127.0.0.1:9092) could not be "
            + "established. Node may not be available.";

    @Test
    void isShownOnlyWhenItsLoggerIsAtDebugAndOnlyForTheAdaptersClients() {
        Logger networkClient = (Logger) LoggerFactory.getLogger(ReconnectWarnings.LOGGER);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        networkClient.addAppender(log);
        Runnable remove = ReconnectWarnings.install(List.of("pg-observer", "pg-observer-admin"));
        try {
            networkClient.warn("[Producer clientId=pg-observer] " + RECONNECT);
            networkClient.warn("[AdminClient clientId=pg-observer-admin] " + RECONNECT);
            networkClient.warn("[Producer clientId=pg-observer] Bootstrap broker localhost:9092 (id: -1 rack: null "
                    + "isFenced: false) disconnected");
            networkClient.warn("[Producer clientId=pg-observer] Error connecting to node broker-1:9092 (id: 1)");
            networkClient.warn("[Consumer clientId=someone-else] " + RECONNECT);
            assertThat(messages(log)).containsExactly(
                    "[Producer clientId=pg-observer] Error connecting to node broker-1:9092 (id: 1)",
                    "[Consumer clientId=someone-else] " + RECONNECT);

            // What a user's own configuration sets to see them again.
            networkClient.setLevel(Level.DEBUG);
            networkClient.warn("[Producer clientId=pg-observer] " + RECONNECT);
            assertThat(messages(log)).hasSize(3).last().isEqualTo("[Producer clientId=pg-observer] " + RECONNECT);
        } finally {
            networkClient.setLevel(null);
            remove.run();
        }
        networkClient.warn("[Producer clientId=pg-observer] " + RECONNECT);
        networkClient.detachAppender(log);
        assertThat(messages(log)).as("removed when the client stops").hasSize(4);
    }

    private static List<String> messages(ListAppender<ILoggingEvent> log) {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
