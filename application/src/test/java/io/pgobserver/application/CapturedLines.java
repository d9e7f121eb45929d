package io.pgobserver.application;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps the lines logged at {@code level} or above, for tests of what a class logs. */
final class CapturedLines implements System.Logger {

    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Level level;

    CapturedLines(Level level) {
        this.level = level;
    }

    @Override
    public String getName() {
        return "test";
    }

    @Override
    public boolean isLoggable(Level asked) {
        return asked.getSeverity() >= level.getSeverity();
    }

    @Override
    public void log(Level asked, ResourceBundle bundle, String msg, Throwable thrown) {
        if (isLoggable(asked)) {
            lines.add(msg);
        }
    }

    @Override
    public void log(Level asked, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(asked)) {
            lines.add(params == null || params.length == 0 ? format : MessageFormat.format(format, params));
        }
    }
}
