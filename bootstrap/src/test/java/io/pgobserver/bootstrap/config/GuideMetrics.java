package io.pgobserver.bootstrap.config;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics table of {@code docs/guide.md} ("Health and metrics") against what a Prometheus scrape serves: every
 * family exported is in the table with its type and label names, and every family and label in the table is
 * exported, unless the guide says it appears only in some cases.
 *
 * <p>The table's rules, which keep it readable by this class: one family a row, as scraped
 * ({@code pgobserver_events_processed_total}; a histogram by its base name); the type as the scrape's
 * {@code # TYPE} line says it; the labels as {@code `name`}, each with an optional note in parentheses, separated by
 * commas. A note that says {@code only} marks a label some series lack; a note that is nothing but backticked values
 * separated by commas is the complete set of the label's values. A meaning that starts with {@code Only} marks a
 * family that has no series until then. A histogram's meaning gives its buckets: {@code Buckets (seconds): 0.005,
 * 0.01, …} or {@code Buckets (seconds): none}. The labels every series carries ({@code otel_scope_name}) are said
 * once, beside the table.
 */
public final class GuideMetrics {

    /** Labels the exporter puts on every series: named once in the guide, not in each row. */
    static final Set<String> COMMON_LABELS = Set.of("otel_scope_name", "otel_scope_version", "otel_scope_schema_url");
    private static final Pattern LABEL = Pattern.compile("`([a-z_][a-z0-9_]*)`(?: \\((.*)\\))?");
    private static final Pattern VALUES = Pattern.compile("`[^`]+`(?:, `[^`]+`)*");
    private static final Pattern BUCKETS = Pattern.compile("Buckets \\(seconds\\): (none|[0-9.]+(?:, [0-9.]+)*)");
    private static final Pattern TYPE_LINE = Pattern.compile("# TYPE (\\S+) (\\S+)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? \\S+.*");
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** A label as a row names it: whether some series lack it, and its values when the row lists them all. */
    record Label(boolean some, Set<String> values) {
    }

    /** A row of the table. */
    record Documented(String type, Map<String, Label> labels, boolean some, Set<Double> buckets) {
    }

    /** A family of the scrape: its type, its labels with the values seen, a histogram's bucket bounds. */
    record Exported(String type, Map<String, Set<String>> labels, Set<Double> buckets) {
    }

    private GuideMetrics() {
    }

    /** {@link #differences} with {@code docs/guide.md} as it is. */
    public static List<String> againstTheGuide(String scrape) throws IOException {
        return differences(Files.readString(ExampleConfigsTest.DOCS.resolve("guide.md")), scrape);
    }

    /**
     * What is wrong between the guide and the scrape, one line each, saying which side to change; empty when they
     * agree.
     */
    public static List<String> differences(String guide, String scrape) {
        Map<String, Documented> documented = documented(guide);
        Map<String, Exported> exported = exported(scrape);
        List<String> wrong = new ArrayList<>();
        exported.forEach((name, family) -> {
            if (!documented.containsKey(name)) {
                wrong.add(name + " (" + family.type() + ", labels " + family.labels().keySet()
                        + ") is exported but not in the guide's metrics table");
            }
        });
        documented.forEach((name, row) -> {
            Exported family = exported.get(name);
            if (family == null) {
                if (!row.some()) {
                    wrong.add(name + " is in the guide's metrics table but not exported (if it appears only in some "
                            + "cases, start its meaning with 'Only' and say when)");
                }
                return;
            }
            compare(name, row, family, wrong);
        });
        String section = section(guide);
        COMMON_LABELS.stream().filter(label -> scrape.contains(label + "=\"") && !section.contains("`" + label + "`"))
                .forEach(label -> wrong.add("label " + label + " is on exported series but the guide's metrics "
                        + "section never names it"));
        return wrong;
    }

    private static void compare(String name, Documented row, Exported family, List<String> wrong) {
        if (!row.type().equals(family.type())) {
            wrong.add(name + " is a " + family.type() + ", the guide says " + row.type());
        }
        family.labels().forEach((label, values) -> {
            Label doc = row.labels().get(label);
            if (doc == null) {
                wrong.add(name + " has label " + label + " (" + values + "), not in the guide");
            } else if (!doc.values().isEmpty() && !doc.values().containsAll(values)) {
                Set<String> other = new TreeSet<>(values);
                other.removeAll(doc.values());
                wrong.add(name + " has " + label + " values " + other + " the guide does not list " + doc.values());
            }
        });
        row.labels().forEach((label, doc) -> {
            if (!doc.some() && !family.labels().containsKey(label)) {
                wrong.add(name + ": label " + label + " is in the guide but not exported (if only some series "
                        + "have it, say 'only' in its note)");
            }
        });
        if (!row.buckets().equals(family.buckets())) {
            wrong.add(name + " has buckets " + family.buckets() + ", the guide says " + row.buckets());
        }
    }

    /** The rows of the table under "Health and metrics", by family name. */
    static Map<String, Documented> documented(String guide) {
        Map<String, Documented> rows = new TreeMap<>();
        for (String line : section(guide).lines().map(String::trim).filter(l -> l.startsWith("| `")).toList()) {
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length != 6) {
                throw new AssertionError("the metrics table has 4 columns (metric, type, labels, meaning): " + line);
            }
            String name = cells[1].trim().replaceAll("^`|`$", "");
            String type = cells[2].trim();
            String meaning = cells[4].trim();
            Set<Double> buckets = new TreeSet<>();
            Matcher b = BUCKETS.matcher(meaning);
            if (type.equals("histogram")) {
                if (!b.find()) {
                    throw new AssertionError(name + ": a histogram's meaning gives 'Buckets (seconds): …' or "
                            + "'Buckets (seconds): none'");
                }
                if (!b.group(1).equals("none")) {
                    Arrays.stream(b.group(1).split(", ")).map(Double::valueOf).forEach(buckets::add);
                }
            }
            rows.put(name, new Documented(type, labels(name, cells[3].trim()), meaning.startsWith("Only "), buckets));
        }
        if (rows.isEmpty()) {
            throw new AssertionError("docs/guide.md's 'Health and metrics' has no metrics table");
        }
        return rows;
    }

    private static Map<String, Label> labels(String name, String cell) {
        Map<String, Label> labels = new TreeMap<>();
        for (String part : splitOutsideParentheses(cell)) {
            Matcher m = LABEL.matcher(part.trim());
            if (!m.matches()) {
                throw new AssertionError(name + ": write each label as `name` or `name` (note), separated by "
                        + "commas: " + part);
            }
            String note = m.group(2) == null ? "" : m.group(2);
            Set<String> values = new TreeSet<>();
            if (VALUES.matcher(note).matches()) {
                Arrays.stream(note.split(", ")).map(v -> v.replace("`", "")).forEach(values::add);
            }
            labels.put(m.group(1), new Label(note.matches("(?s).*\\bonly\\b.*"), values));
        }
        return labels;
    }

    private static List<String> splitOutsideParentheses(String cell) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(cell.substring(start, i));
                start = i + 1;
            }
        }
        if (!cell.substring(start).isBlank()) {
            parts.add(cell.substring(start));
        }
        return parts;
    }

    /** The families of a scrape in Prometheus' text format, by name. */
    static Map<String, Exported> exported(String scrape) {
        Map<String, String> types = new TreeMap<>();
        scrape.lines().map(TYPE_LINE::matcher).filter(Matcher::matches).forEach(m -> types.put(m.group(1), m.group(2)));
        Map<String, Exported> families = new TreeMap<>();
        for (String line : scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            String family = family(m.group(1), types);
            Exported exported = families.computeIfAbsent(family,
                    f -> new Exported(types.get(f), new TreeMap<>(), new TreeSet<>()));
            Matcher label = SAMPLE_LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (label.find()) {
                if (label.group(1).equals("le") && "histogram".equals(exported.type())) {
                    if (!label.group(2).equals("+Inf")) {
                        exported.buckets().add(Double.valueOf(label.group(2)));
                    }
                } else if (!COMMON_LABELS.contains(label.group(1))) {
                    exported.labels().computeIfAbsent(label.group(1), k -> new TreeSet<>()).add(label.group(2));
                }
            }
        }
        return families;
    }

    private static String family(String sample, Map<String, String> types) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_created")) {
            String base = sample.endsWith(suffix) ? sample.substring(0, sample.length() - suffix.length()) : null;
            if (base != null && types.containsKey(base)) {
                return base;
            }
        }
        throw new AssertionError("sample " + sample + " belongs to no # TYPE line");
    }

    /** The text of "Health and metrics", where the table and what it says of every series are. */
    static String section(String document) {
        String guide = "\n" + document;
        int start = guide.indexOf("\n## Health and metrics\n");
        if (start < 0) {
            throw new AssertionError("docs/guide.md has no heading '## Health and metrics'");
        }
        int end = guide.indexOf("\n## ", start + 1);
        return guide.substring(start, end < 0 ? guide.length() : end);
    }
}
