package io.pgobserver.bootstrap.tracing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.List;

/** The lines some loggers write while a test runs, as the user would read them in the log. */
final class LogWatch implements AutoCloseable {

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final List<Logger> loggers;

    /** @param names the loggers' names: the classes' full names, package-private ones included */
    LogWatch(String... names) {
        loggers = Arrays.stream(names).map(name -> (Logger) LoggerFactory.getLogger(name)).toList();
        lines.start();
        loggers.forEach(logger -> logger.addAppender(lines));
    }

    /** The messages logged so far that contain every one of {@code texts}. */
    List<String> containing(String... texts) {
        synchronized (lines) {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> Arrays.stream(texts).allMatch(m::contains)).toList();
        }
    }

    /** Every message logged so far, for a failure's description. */
    List<String> all() {
        return containing("");
    }

    @Override
    public void close() {
        loggers.forEach(logger -> logger.detachAppender(lines));
    }
}
