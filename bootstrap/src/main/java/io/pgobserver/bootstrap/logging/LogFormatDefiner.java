package io.pgobserver.bootstrap.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import io.pgobserver.bootstrap.config.LogFormatVariable;

/**
 * logback.xml's {@code logFormat}: the format {@code PGOBSERVER_LOG_FORMAT} asks for, which names the appender file
 * to include. Read here rather than as {@code ${PGOBSERVER_LOG_FORMAT}}, so that JSON in capitals or a blank value
 * still finds its file, and a value that is no format writes text until the command refuses it (exit 2).
 */
public final class LogFormatDefiner extends PropertyDefinerBase {

    @Override
    public String getPropertyValue() {
        return LogFormatVariable.of(System.getenv());
    }
}
