package io.pgobserver.bootstrap.config;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the tables of {@code docs/guide.md} name: the settings' keys and the environment variables. */
final class GuideTables {

    /** A key path as the guide writes it: {@code listener.batch_size}, {@code observers.<name>.actions[].url}. */
    private static final Pattern KEY = Pattern.compile(
            "`([a-z][a-z_]*(?:\\[])?(?:\\.(?:<name>|[a-z][a-z_]*)(?:\\[])?)+)`");
    private static final Pattern VARIABLE = Pattern.compile("`([A-Z][A-Z0-9_]*)`");

    private GuideTables() {
    }

    /**
     * The keys in the first column of the tables under "Configuration" (the original tracing keys included), but
     * for the rows whose type says the key is only printed by {@code check-config}.
     */
    static Set<String> settingKeys(String guide) {
        Set<String> keys = new TreeSet<>();
        for (String[] row : rows(section(guide, "## Configuration"))) {
            if (row.length > 2 && !row[2].trim().equals("printed only")) {
                Matcher m = KEY.matcher(row[1]);
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        }
        return keys;
    }

    /** The variables in the first column of the table under "Environment variables". */
    static Set<String> variables(String guide) {
        Set<String> variables = new TreeSet<>();
        for (String[] row : rows(section(guide, "## Environment variables"))) {
            Matcher m = VARIABLE.matcher(row[1]);
            while (m.find()) {
                variables.add(m.group(1));
            }
        }
        return variables;
    }

    /** The text from the heading to the next heading of its level. */
    private static String section(String guide, String heading) {
        int start = guide.indexOf("\n" + heading + "\n");
        if (start < 0) {
            throw new AssertionError("docs/guide.md has no heading '" + heading + "'");
        }
        int end = guide.indexOf("\n## ", start + heading.length() + 1);
        return guide.substring(start, end < 0 ? guide.length() : end);
    }

    /** The table rows, split at their cells' bars (index 1 is the first cell). */
    private static Iterable<String[]> rows(String text) {
        return text.lines().filter(line -> line.startsWith("| `"))
                .map(line -> line.split("(?<!\\\\)\\|")).toList();
    }
}
