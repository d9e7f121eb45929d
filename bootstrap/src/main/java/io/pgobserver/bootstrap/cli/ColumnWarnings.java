package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.NamedColumns;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.CaptureInstaller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** {@code status}'s {@code columns:}: the lines {@code run} logs at its start of columns the tables lack. */
final class ColumnWarnings {

    private static final Logger LOG = LoggerFactory.getLogger(ColumnWarnings.class);

    private ColumnWarnings() {
    }

    /**
     * The columns the observers name, in conditions and templates, that their tables' events lack, as {@code run}
     * logs them at its start; none when the observers' conditions cannot be compiled here (the check is advice: it
     * never stops the report).
     */
    static List<String> of(AdminSession session) {
        try {
            ConditionCompiler compiler = session.get(ConditionCompiler.class);
            List<Observer> observers = session.config().observers().stream()
                    .map(d -> d.observer(compiler.compile(d.name(), d.condition()))).toList();
            return NamedColumns.warnings(observers, session.get(CaptureInstaller.class)
                    .columns(observers.stream().map(Observer::entity).distinct().toList()));
        } catch (RuntimeException e) {
            LOG.debug("could not check the columns the observers name: {}", e.getMessage());
            return List.of();
        }
    }

    /** The report's {@code columns:} line and its warnings, or nothing when there are none. */
    static String human(List<String> warnings) {
        if (warnings.isEmpty()) {
            return "";
        }
        return "columns:       " + warnings.size() + " column(s) named by observers are not in their tables' events:"
                + warnings.stream().map(line -> "\n  " + line).collect(Collectors.joining()) + "\n";
    }
}
