package io.pgobserver.bootstrap.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guide's metrics table, read as {@link GuideMetrics} reads it to compare it with the packaged jar's scrape
 * ({@code ParkedBoundIT}): each of its rules shown failing on a bad table, and every metric the documents name
 * (alert expressions included) is one of the table's, with labels it has.
 */
class GuideMetricsTest {

    private static final Path GUIDE = ExampleConfigsTest.DOCS.resolve("guide.md");
    /** Names that look like metrics and are not: the capture trigger and the NOTIFY channel. */
    private static final Set<String> NOT_METRICS = Set.of("pgobserver_capture", "pgobserver_events");
    private static final Pattern NAMED = Pattern.compile(
            "\\b((?:pgobserver|otel_sdk|http_client)_[a-z_]+|target_info)(?:\\{([^}]*)})?");
    private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)");

    private static final String TABLE = """
            ## Health and metrics

              Every series has `otel_scope_name`.

              | metric | type | labels | meaning |
              |---|---|---|---|
              | `app_requests_total` | counter | `outcome` (`ok`, `failed`), `error_type` (failed ones only) | Requests. |
              | `app_request_duration_seconds` | histogram | `route` | Requests. Buckets (seconds): 0.1, 1 |
              | `app_lag` | gauge | `queue` | Lag. |
              | `app_gone` | gauge | | Renamed in the code, not in the guide. |
              | `app_rare` | gauge | | Only after a rare event: no series before. |

            ## Next
            """;
    private static final String SCRAPE = """
            # TYPE app_requests_total counter
            app_requests_total{otel_scope_name="app",outcome="ok"} 3.0
            app_requests_total{otel_scope_name="app",outcome="late",region="eu"} 1.0
            # TYPE app_request_duration_seconds histogram
            app_request_duration_seconds_bucket{otel_scope_name="app",route="/",le="0.1"} 1
            app_request_duration_seconds_bucket{otel_scope_name="app",route="/",le="0.5"} 1
            app_request_duration_seconds_bucket{otel_scope_name="app",route="/",le="+Inf"} 1
            app_request_duration_seconds_count{otel_scope_name="app",route="/"} 1
            app_request_duration_seconds_sum{otel_scope_name="app",route="/"} 0.05
            # TYPE app_lag counter
            app_lag{otel_scope_name="app"} 0.0
            # TYPE app_added gauge
            app_added{otel_scope_name="app",shard="1"} 1.0
            """;

    @Test
    void eachRuleFailsOnATableThatDisagreesWithTheScrape() {
        assertThat(GuideMetrics.differences(TABLE, SCRAPE)).containsExactlyInAnyOrder(
                "app_added (gauge, labels [shard]) is exported but not in the guide's metrics table",
                "app_gone is in the guide's metrics table but not exported (if it appears only in some cases, start "
                        + "its meaning with 'Only' and say when)",
                "app_lag is a counter, the guide says gauge",
                "app_lag: label queue is in the guide but not exported (if only some series have it, say 'only' in "
                        + "its note)",
                "app_request_duration_seconds has buckets [0.1, 0.5], the guide says [0.1, 1.0]",
                "app_requests_total has label region ([eu]), not in the guide",
                "app_requests_total has outcome values [late] the guide does not list [failed, ok]");
        assertThat(GuideMetrics.differences(TABLE.replace("Every series has `otel_scope_name`.", ""), SCRAPE))
                .contains("label otel_scope_name is on exported series but the guide's metrics section never "
                        + "names it");
    }

    @Test
    void theGuidesTableGivesEachMetricsTypeLabelsAndBuckets() throws IOException {
        Map<String, GuideMetrics.Documented> table = GuideMetrics.documented(Files.readString(GUIDE));
        assertThat(table.get("pgobserver_events_processed_total").type()).isEqualTo("counter");
        assertThat(table.get("pgobserver_events_processed_total").labels().get("outcome").values())
                .containsExactlyInAnyOrder("matched", "unmatched", "failed");
        assertThat(table.get("pgobserver_action_duration_seconds").labels().get("error_type").some()).isTrue();
        assertThat(table.get("pgobserver_event_duration_seconds").buckets()).hasSize(16).contains(0.0005, 60.0);
        assertThat(table.get("pgobserver_tracing_held_spans").some()).isTrue();
        assertThat(table.get("target_info").type()).isEqualTo("gauge");
    }

    /**
     * Alert and query examples in the documents name metrics and labels the table has, with the suffixes a scrape
     * has: a histogram is selected by its {@code _count}, {@code _bucket} or {@code _sum}, never by its base name.
     */
    @Test
    void everyMetricTheDocumentsNameIsInTheTableWithItsLabels() throws IOException {
        Map<String, GuideMetrics.Documented> table = GuideMetrics.documented(Files.readString(GUIDE));
        List<String> wrong = new ArrayList<>();
        List<Path> documents;
        try (Stream<Path> files = Files.list(ExampleConfigsTest.DOCS)) {
            documents = new ArrayList<>(files.filter(f -> f.toString().endsWith(".md")).toList());
        }
        documents.add(ExampleConfigsTest.DOCS.getParent().resolve("README.md"));
        for (Path document : documents) {
            Matcher m = NAMED.matcher(Files.readString(document));
            while (m.find()) {
                String problem = problem(table, m.group(1), m.group(2));
                if (problem != null) {
                    wrong.add(document.getFileName() + ": " + m.group() + ": " + problem);
                }
            }
        }
        assertThat(wrong).as("metrics the documents name, against the guide's metrics table").isEmpty();
    }

    private static String problem(Map<String, GuideMetrics.Documented> table, String name, String selector) {
        if (NOT_METRICS.contains(name)) {
            return null;
        }
        String family = name;
        String suffix = "";
        if (!table.containsKey(name)) {
            family = Stream.of("_bucket", "_count", "_sum").filter(name::endsWith)
                    .map(s -> name.substring(0, name.length() - s.length())).filter(table::containsKey)
                    .findFirst().orElse(null);
            if (family == null || !table.get(family).type().equals("histogram")) {
                return "not a metric of the guide's table";
            }
            suffix = name.substring(family.length());
        }
        GuideMetrics.Documented row = table.get(family);
        if (selector == null) {
            return null;
        }
        if (row.type().equals("histogram") && suffix.isEmpty()) {
            return "a histogram has no series of its base name: select its _count, _bucket or _sum";
        }
        Matcher label = MATCHER.matcher(selector);
        while (label.find()) {
            String l = label.group(1);
            if (!row.labels().containsKey(l) && !GuideMetrics.COMMON_LABELS.contains(l)
                    && !(l.equals("le") && suffix.equals("_bucket"))) {
                return "label " + l + " is not one of " + family + "'s";
            }
        }
        return null;
    }
}
