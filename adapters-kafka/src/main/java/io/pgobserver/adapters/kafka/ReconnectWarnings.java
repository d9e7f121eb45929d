package io.pgobserver.adapters.kafka;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

import java.util.List;

/**
 * Treats Kafka's warnings per failed reconnection attempt of this adapter's producer and admin client as DEBUG lines,
 * shown only when the logger {@value #LOGGER} is at DEBUG or below: {@code Connection to node -1 (host/1.2.3.4:9092)
 * could not be established. Node may not be available.}, and {@code Bootstrap broker host:9092 (id: -1 …)
 * disconnected} when the client turns to its bootstrap servers (at its start, and for metadata while the brokers it
 * knows are down). While a broker is down each client writes them per broker at every attempt, which buried the rest of
 * the log; {@link OutageLog} says the outage once instead. Kafka's other warnings of that logger (a name that does
 * not resolve, a connection cut during the TLS handshake) stay as they are, and so do the lines of any other Kafka
 * client in the process.
 *
 * <p>A turbo filter rather than a logger level: a level cannot lower one line, and would hide those other warnings
 * too. Installed only when Logback is the logging backend (the product's); a user's own Logback configuration turns
 * the lines back on by setting that logger to DEBUG.
 */
final class ReconnectWarnings extends TurboFilter {

    static final String LOGGER = "org.apache.kafka.clients.NetworkClient";
    private static final String NOT_ESTABLISHED = " could not be established. Node may not be available.";
    private static final String BOOTSTRAP_BROKER = "Bootstrap broker ";
    private static final String DISCONNECTED = " disconnected";

    /** Kafka's prefix of each line of a client ({@code LogContext}): one for the producer, one for the admin client. */
    private final List<String> clients;

    private ReconnectWarnings(List<String> clientIds) {
        this.clients = clientIds.stream().flatMap(id -> java.util.stream.Stream.of("[Producer clientId=" + id + "] ",
                "[AdminClient clientId=" + id + "] ")).toList();
        setName("pg-observer: Kafka reconnection warnings at DEBUG");
    }

    /**
     * Installs the filter for the clients of these ids, and returns what removes it again. Only when Logback logs
     * (the caller checks); this class needs Logback's own.
     */
    static Runnable install(List<String> clientIds) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ReconnectWarnings filter = new ReconnectWarnings(clientIds);
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        return () -> {
            context.getTurboFilterList().remove(filter);
            filter.stop();
        };
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // Cheapest test first: every log call in the process comes through here, most of them not at WARN.
        if (level != Level.WARN || format == null || !LOGGER.equals(logger.getName())
                || logger.getEffectiveLevel().toInt() <= Level.DEBUG_INT) {
            return FilterReply.NEUTRAL;
        }
        return clients.stream().anyMatch(client -> perAttempt(format, client)) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    /** Whether the line, as Kafka's {@code LogContext} hands it over (prefix and message), is one per attempt. */
    private static boolean perAttempt(String line, String client) {
        return line.startsWith(client) && (line.endsWith(NOT_ESTABLISHED)
                || line.startsWith(BOOTSTRAP_BROKER, client.length()) && line.endsWith(DISCONNECTED));
    }
}
