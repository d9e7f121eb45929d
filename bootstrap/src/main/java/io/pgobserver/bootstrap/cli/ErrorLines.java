package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.LogFormatVariable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;

/**
 * How a command says why it failed on standard error: a line of text, or with {@code PGOBSERVER_LOG_FORMAT=json}
 * an ERROR log line, so that a log shipper parses every line the process writes there (the stack trace, on
 * {@code --verbose}, in its {@code stack_trace} field).
 */
final class ErrorLines {

    private static final Logger LOG = LoggerFactory.getLogger(PgObserverCommand.class);
    private static final Logger NOTES = LoggerFactory.getLogger(PgObserverCommand.class.getName() + ".notes");

    private ErrorLines() {
    }

    /**
     * Says {@code line}, a notice rather than the command's error (a signal received, a row left out): a WARN line
     * in JSON, so that no plain line breaks a log shipper's parsing of standard error.
     */
    static void warn(PrintWriter err, String line) {
        if (LogFormatVariable.json(ConfigOptions.environment)) {
            LOG.warn(line);
            return;
        }
        err.println(line);
        err.flush();
    }

    /**
     * Says {@code line}, a hint beside a command's output on standard output (the next page of {@code dlq list --json}):
     * an INFO line in JSON, for the same reason.
     */
    static void note(PrintWriter err, String line) {
        if (LogFormatVariable.json(ConfigOptions.environment)) {
            // Part of the command's answer, shown in text whatever the level: a short command's quieting of INFO
            // (AdminSession) must not hide it, so its own logger stays at INFO unless a Logback file of yours sets it.
            if (NOTES instanceof ch.qos.logback.classic.Logger notes && notes.getLevel() == null) {
                notes.setLevel(ch.qos.logback.classic.Level.INFO);
            }
            NOTES.info(line);
            return;
        }
        err.println(line);
        err.flush();
    }

    /** Says {@code line}, with the stack trace of {@code trace} when not null. */
    static void say(PrintWriter err, String line, Throwable trace) {
        if (LogFormatVariable.json(ConfigOptions.environment)) {
            LOG.error(line, trace);
            return;
        }
        err.println(line);
        if (trace != null) {
            trace.printStackTrace(err);
        }
        err.flush();
    }
}
