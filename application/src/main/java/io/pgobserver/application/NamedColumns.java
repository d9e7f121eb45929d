package io.pgobserver.application;

import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.CaptureInstaller.Columns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The columns the observers name, in conditions and templates, that their tables' events do not carry: misspelt
 * ({@code after.stauts}), renamed or dropped since, or left out by the capture. None of them is an error when an
 * event is processed (a condition on a column a row lacks is false, a template renders nothing for it), so an
 * observer that never fires would say nothing of why: {@code run} says it at the start, and {@code status} too.
 */
public final class NamedColumns {

    /** Past this many, a table's columns are not all listed in a line. */
    private static final int LISTED = 20;

    private NamedColumns() {
    }

    /** One line per observer part that names columns its table's events lack; none for a table not found. */
    public static List<String> warnings(List<Observer> observers, Map<String, Columns> tables) {
        List<String> lines = new ArrayList<>();
        for (Observer observer : observers) {
            Columns table = tables.get(observer.entity());
            if (table == null) {
                continue; // not there: the capture check says so
            }
            for (Map.Entry<String, Set<String>> part : observer.columnsNamed().entrySet()) {
                String where = "observers." + observer.name() + "." + part.getKey();
                List<String> missing = part.getValue().stream().filter(c -> !table.names().contains(c)).toList();
                if (!missing.isEmpty()) {
                    lines.add(where + " names " + quoted(missing) + ", which " + observer.entity() + " has no "
                            + "column of (misspelt, or renamed or dropped?): " + consequence(part.getKey())
                            + "; its columns: " + listed(table.names()));
                }
                List<String> leftOut = part.getValue().stream().filter(table.leftOut()::contains).toList();
                if (!leftOut.isEmpty()) {
                    lines.add(where + " names " + quoted(leftOut) + ", which the capture of " + observer.entity()
                            + " leaves out of every event (install --exclude-column): "
                            + consequence(part.getKey()));
                }
            }
        }
        return lines;
    }

    private static String consequence(String part) {
        return part.equals("condition") ? "the condition is false on every row that lacks it, without an error"
                : "the action's templates render nothing for it (a URL template fails), without an error";
    }

    private static String quoted(List<String> columns) {
        return columns.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "));
    }

    private static String listed(List<String> columns) {
        return columns.size() <= LISTED ? String.join(", ", columns)
                : String.join(", ", columns.subList(0, LISTED)) + " … (" + columns.size() + " in all)";
    }
}
