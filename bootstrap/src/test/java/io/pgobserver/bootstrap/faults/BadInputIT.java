package io.pgobserver.bootstrap.faults;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.pgobserver.bootstrap.faults.FaultSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile input from writers, through the packaged jar end to end: malformed, oversized and hostile
 * {@code traceparent}/{@code tracestate}, megabyte rows, odd JSON values, conditions that fail at run time.
 * Every event must come out the other side (delivered, or dead-lettered with a clear error) and the observer must
 * keep going; values PostgreSQL itself refuses ({@code \u0000} in jsonb, bytes that are not UTF-8) fail the
 * writer's statement and never become events.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BadInputIT {

    /** A receiver that reads what PostgreSQL can hold (Jackson's default caps numbers at 1,000 digits). */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(200_000).build()).build());
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_2 = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final int BIG_ROW_CHARS = 3 * 1024 * 1024;
    /** numeric values whose digits a double would change: trailing zeros, a small one, a long one. */
    private static final String NUMERICS = "array[12.10, 100.00, 0.0000001, -0.0, 1e-20::numeric, "
            + "1234567890123456789012345678901234.567800]::numeric[]";
    private static final String MEMBERS_32 = IntStream.rangeClosed(1, 32).mapToObj(i -> "m" + i + "=" + i)
            .collect(Collectors.joining(","));
    /** Writer values the W3C Trace Context recommendation rules on, each with a trace id of its own. */
    private static final List<W3cCase> W3C_CASES = List.of(
            new W3cCase("w3c-ows", " \t00-%s-" + SPAN + "-01\t ", " rojo=1 ,\tcongo=2 ", "continued 01 with rojo=1,congo=2"),
            new W3cCase("w3c-future-version", "01-%s-" + SPAN + "-01-xyz", null, "continued 01"),
            new W3cCase("w3c-reserved-flags", "00-%s-" + SPAN + "-fd", null, "continued 01"),
            new W3cCase("w3c-random-flag", "00-%s-" + SPAN + "-03", null, "continued 03"),
            new W3cCase("w3c-unsampled", "00-%s-" + SPAN + "-00", "vendor=abc", "continued 00 with vendor=abc"),
            new W3cCase("w3c-33-members", "00-%s-" + SPAN + "-01", MEMBERS_32 + ",m33=33", "continued 01 with " + MEMBERS_32),
            new W3cCase("w3c-upper-case", "00-%S-" + SPAN + "-01", "a=1", "restarted"),
            new W3cCase("w3c-00-extra-field", "00-%s-" + SPAN + "-01-xyz", null, "restarted"),
            new W3cCase("w3c-zero-span-id", "00-%s-0000000000000000-01", null, "restarted"),
            new W3cCase("w3c-short-trace-id", "00-%.31s-" + SPAN + "-01", null, "restarted"),
            new W3cCase("w3c-newline", "00-%s-" + SPAN + "-01\n", null, "restarted"),
            new W3cCase("w3c-empty", "", "a=1", "restarted"));

    /** @param traceparent a format whose {@code %s} is this case's trace id */
    private record W3cCase(String label, String traceparent, String tracestate, String outcome) {

        /** Hex letters in it, so that upper case differs. */
        String traceId() {
            return "abcdef0123456789abcdef01234567" + "%02x".formatted(W3C_CASES.indexOf(this) + 1);
        }
    }

    private static Path work;
    private static Path config;
    private static FaultSupport.Postgres postgres;
    private static WebhookReceiver hooks;
    private static TraceBackend traces;
    private static ObserverProcess observer;
    private static final Map<String, String> outcomes = new LinkedHashMap<>();

    @BeforeAll
    static void runEverythingThroughTheObserver() throws Exception {
        work = Files.createTempDirectory("pgobserver-bad-input");
        postgres = new FaultSupport.Postgres(work.resolve("pgdata")).start();
        hooks = WebhookReceiver.start();
        hooks.keepRequests();
        traces = TraceBackend.start();
        traces.keepBodies();
        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement()) {
            s.execute("create table public.docs (id bigserial primary key, label text not null, doc jsonb, "
                    + "amounts numeric[])");
        }
        config = work.resolve("pg-observer.yaml");
        Files.writeString(config, """
                database: { url: "%s", user: postgres }
                listener: { consumer: bad-input, poll_interval: 200ms, checkpoint_interval: 100ms }
                tracing:
                  enabled: true
                  exporter: otlp
                  protocol: http/protobuf
                  endpoint: %s
                  batch: { schedule_delay: 200ms }
                metrics: { enabled: false }
                admin: { port: -1 }
                observers:
                  all:
                    entity: public.docs
                    actions: [ { type: webhook, url: "%s" } ]
                  missing_field:
                    entity: public.docs
                    condition: "after.no_such_column == 'x'"
                    actions: [ { type: webhook, url: "%s" } ]
                  type_mismatch:
                    entity: public.docs
                    condition: "after.label > 5"
                    actions: [ { type: webhook, url: "%s" } ]
                  refused:
                    entity: public.docs
                    condition: "after.label == 'numerics'"
                    actions: [ { type: webhook, url: "%s" } ]
                """.formatted(postgres.jdbcUrl(), traces.endpoint(), hooks.url("/all"), hooks.url("/missing"),
                hooks.url("/mismatch"), hooks.url("/refused")));
        hooks.rejectWhen(r -> r.path().equals("/refused")); // dead-lettered, for the replay of the numbers
        Path log = Path.of("target", "bad-input-observer.log");
        Files.deleteIfExists(log);
        observer = ObserverProcess.start("bad-input", log, Map.of(),
                "run", "--config", config.toString());
        await("the observer to become active", Duration.ofMinutes(2),
                () -> observer.lastLine("consumer 'bad-input' active") > 0 || !observer.isAlive());
        assertThat(observer.isAlive()).as(observer.output()).isTrue();
        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement()) {
            s.execute("create trigger pgobserver_capture after insert or update or delete on public.docs "
                    + "for each row execute function pgobserver.capture('id')");
        }

        write("valid-trace", "00-" + TRACE + "-" + SPAN + "-01", null, "{}");
        write("garbage-trace", "not a traceparent at all", null, "{}");
        write("huge-trace", "00-" + "a".repeat(100_000), null, "{}");
        write("zero-trace", "00-00000000000000000000000000000000-0000000000000000-01", null, "{}");
        write("version-ff", "ff-" + TRACE + "-" + SPAN + "-01", null, "{}");
        write("sql-in-trace", "00-abc'); drop table public.docs; --", null, "{}");
        write("hostile-state", "00-" + TRACE_2 + "-" + SPAN + "-01",
                "k=v,\u0001\u0002=\u007f," + "x".repeat(100_000) + ",=,==,a=b=c", "{}");
        for (W3cCase w3c : W3C_CASES) {
            write(w3c.label(), w3c.traceparent().formatted(w3c.traceId()), w3c.tracestate(), "{}");
        }
        write("big-row", null, null, "{\"blob\": \"" + "0123456789abcdef".repeat(BIG_ROW_CHARS / 16)
                + "\", \"list\": [" + "1,".repeat(50_000) + "2]}");
        write("odd-json", null, null, """
                {"emoji": "\\ud83d\\ude00", "rtl": "\\u202e", "zero_width": "\\u200b", "html": "\\"<script>alert(1)</script>",
                 "backslash": "\\\\", "big_int": 123456789012345678901234567890, "tiny": 1e-300, "huge": 1.5e300,
                 "neg_zero": -0, "precise": 0.1000000000000000055511151231257827, "empty_key": {"": ""},
                 "nested_nulls": [null, [null, {"a": null}]]}""");
        write("deep-nesting", null, null, "[".repeat(2_000) + "]".repeat(2_000), true);
        write("long-number", null, null, "{\"n\": " + "9".repeat(1_500) + "}");
        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement()) {
            s.execute("insert into public.docs (label, amounts) values ('numerics', " + NUMERICS + ")");
        }

        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from public.docs")) {
            rs.next();
            outcomes.put("rows", rs.getString(1));
        }
        await("the checkpoint to cover every event", Duration.ofMinutes(2), () -> uncovered() == 0
                || !observer.isAlive());
        assertThat(observer.isAlive()).as("observer alive after bad input; output:%n%s", observer.output()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        FaultSupport.closeAll(work, observer, hooks, traces, postgres);
    }

    private static void write(String label, String traceparent, String tracestate, String doc) throws SQLException {
        write(label, traceparent, tracestate, doc, false);
    }

    /** One transaction per row, the trace context set as a writer would; {@code wrap} nests the doc in an object. */
    private static void write(String label, String traceparent, String tracestate, String doc, boolean wrap)
            throws SQLException {
        try (Connection c = postgres.connect("bad-input")) {
            c.setAutoCommit(false);
            try (PreparedStatement set = c.prepareStatement("select set_config(?, ?, true)")) {
                if (traceparent != null) {
                    set.setString(1, "pgobserver.traceparent");
                    set.setString(2, traceparent);
                    set.execute();
                }
                if (tracestate != null) {
                    set.setString(1, "pgobserver.tracestate");
                    set.setString(2, tracestate);
                    set.execute();
                }
            }
            try (PreparedStatement insert = c.prepareStatement(wrap
                    ? "insert into public.docs (label, doc) values (?, jsonb_build_object('deep', ?::jsonb))"
                    : "insert into public.docs (label, doc) values (?, ?::jsonb)")) {
                insert.setString(1, label);
                insert.setString(2, doc);
                insert.executeUpdate();
            }
            c.commit();
        }
    }

    private static long uncovered() {
        return FaultSupport.uncovered(postgres, "bad-input");
    }

    /** The webhook request of observer 'all' for the row with this label. */
    private static WebhookReceiver.Request delivered(String label) {
        List<WebhookReceiver.Request> found = new ArrayList<>();
        for (WebhookReceiver.Request r : hooks.requests()) {
            if (r.path().equals("/all") && r.bodyText().contains("\"label\":\"" + label + "\"")) {
                found.add(r);
            }
        }
        assertThat(found).as("webhook request for row '%s'", label).isNotEmpty();
        return found.getFirst();
    }

    private static String traceIdOf(WebhookReceiver.Request request) {
        String header = request.header("traceparent");
        assertThat(header).as("traceparent header").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
        assertThat(header.substring(3, 35)).isNotEqualTo("0".repeat(32));
        return header.substring(3, 35);
    }

    private static List<String> deadLetters(String observerName) throws SQLException {
        List<String> errors = new ArrayList<>();
        try (Connection c = postgres.connect("bad-input");
             PreparedStatement s = c.prepareStatement("select error from pgobserver.dead_letters where observer = ?")) {
            s.setString(1, observerName);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    errors.add(rs.getString(1));
                }
            }
        }
        return errors;
    }

    @Test
    void a_valid_writer_traceparent_is_continued() {
        assertThat(traceIdOf(delivered("valid-trace"))).isEqualTo(TRACE);
    }

    @Test
    void malformed_oversized_and_hostile_traceparents_start_a_new_root_trace_and_the_event_still_runs() {
        for (String label : List.of("garbage-trace", "huge-trace", "zero-trace", "version-ff", "sql-in-trace")) {
            String traceId = traceIdOf(delivered(label));
            assertThat(traceId).as(label).isNotEqualTo(TRACE).isNotEqualTo(TRACE_2);
        }
    }

    @Test
    void a_hostile_tracestate_is_dropped_or_bounded_and_the_trace_continues() {
        WebhookReceiver.Request request = delivered("hostile-state");
        assertThat(traceIdOf(request)).isEqualTo(TRACE_2);
        String state = request.header("tracestate");
        if (state != null) {
            assertThat(state.length()).isLessThanOrEqualTo(512);
            assertThat(state).doesNotContain("\u0001").doesNotContain("xxxxxxxxxx");
        }
    }

    /**
     * The writer's context read as W3C Trace Context asks, through trigger, listener, OpenTelemetry and webhook:
     * valid values continue the writer's trace (spaces and tabs around them ignored, a future version read by its
     * known fields, reserved flag bits dropped, the random flag kept, tracestate carried up to 32 members, an
     * unsampled trace sent on as unsampled); invalid ones start a trace of their own and the event is still delivered.
     */
    @Test
    void a_writers_trace_context_is_continued_or_restarted_as_w3c_trace_context_asks() throws Exception {
        Map<String, String> asked = new LinkedHashMap<>();
        Map<String, String> got = new LinkedHashMap<>();
        for (W3cCase w3c : W3C_CASES) {
            WebhookReceiver.Request request = delivered(w3c.label());
            String state = request.header("tracestate") == null ? "" : " with " + request.header("tracestate");
            asked.put(w3c.label(), w3c.outcome());
            got.put(w3c.label(), traceIdOf(request).equals(w3c.traceId())
                    ? "continued " + request.header("traceparent").substring(53) + state : "restarted" + state);
        }

        assertThat(got).isEqualTo(asked);
        // The sampled writer's spans are exported in its trace; the unsampled one's never are.
        await("the spans of the writer's trace", Duration.ofMinutes(1), () -> exported(w3cTraceId("w3c-ows")));
        assertThat(exported(w3cTraceId("w3c-unsampled"))).as("spans of the unsampled writer's trace").isFalse();
    }

    private static String w3cTraceId(String label) {
        return W3C_CASES.stream().filter(w3c -> w3c.label().equals(label)).findFirst().orElseThrow().traceId();
    }

    /** Whether an exported OTLP body holds this trace id (16 raw bytes in the protobuf). */
    private static boolean exported(String traceId) {
        byte[] bodies = traces.keptBodies();
        byte[] id = HexFormat.of().parseHex(traceId);
        for (int i = 0; i + id.length <= bodies.length; i++) {
            if (Arrays.equals(bodies, i, i + id.length, id, 0, id.length)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void a_megabyte_row_flows_through_capture_listener_and_webhook_intact() throws Exception {
        JsonNode body = JSON.readTree(delivered("big-row").body());
        assertThat(body.path("after").path("doc").path("blob").textValue()).hasSize(BIG_ROW_CHARS);
        assertThat(body.path("after").path("doc").path("list")).hasSize(50_001);
    }

    @Test
    void odd_json_values_arrive_as_written() throws Exception {
        JsonNode doc = JSON.readTree(delivered("odd-json").body()).path("after").path("doc");
        assertThat(doc.path("emoji").textValue()).isEqualTo("\uD83D\uDE00");
        assertThat(doc.path("rtl").textValue()).isEqualTo("\u202e");
        assertThat(doc.path("html").textValue()).isEqualTo("\"<script>alert(1)</script>");
        assertThat(doc.path("backslash").textValue()).isEqualTo("\\");
        assertThat(doc.path("big_int").bigIntegerValue()).hasToString("123456789012345678901234567890");
        assertThat(doc.path("tiny").doubleValue()).isEqualTo(1e-300);
        assertThat(doc.path("huge").doubleValue()).isEqualTo(1.5e300);
        assertThat(doc.path("empty_key").has("")).isTrue();
    }

    @Test
    void a_number_as_long_as_numeric_allows_is_delivered_exactly() throws Exception {
        JsonNode n = JSON.readTree(delivered("long-number").body()).path("after").path("doc").path("n");
        assertThat(n.bigIntegerValue()).hasToString("9".repeat(1_500));
    }

    /**
     * A {@code numeric} reaches the body as PostgreSQL's {@code to_jsonb} wrote it, trailing zeros and all, in plain
     * notation; a dead letter keeps those digits, and {@code dlq replay} sends them again.
     */
    @Test
    void numerics_arrive_with_the_digits_postgresql_wrote_and_a_dead_letter_keeps_them() throws Exception {
        String written = "[12.10,100.00,0.0000001,0.0,0.00000000000000000001,"
                + "1234567890123456789012345678901234.567800]";
        assertThat(FaultSupport.queryString(postgres, "select replace(to_jsonb(" + NUMERICS + ")::text, ' ', '')"))
                .as("as PostgreSQL writes them").isEqualTo(written);
        assertThat(delivered("numerics").bodyText()).contains("\"amounts\":" + written);

        long letter = FaultSupport.queryLong(postgres, "select id from pgobserver.dead_letters where observer = 'refused'");
        hooks.unscript();
        ObserverProcess.Finished replay = ObserverProcess.runToEnd("dlq-replay",
                Path.of("target", "bad-input-dlq-replay.log"), Map.of(), "dlq", "replay", "--config",
                config.toString(), "--id", Long.toString(letter));
        assertThat(replay.exitCode()).as(replay.output()).isZero();
        // The run's refused request, then the replay's (delivered: exit 0).
        assertThat(hooks.requests()).filteredOn(r -> r.path().equals("/refused")).hasSize(2)
                .allSatisfy(r -> assertThat(r.bodyText()).contains("\"amounts\":" + written));
    }

    @Test
    void a_row_nested_deeper_than_the_observer_can_bind_is_dead_lettered_with_the_reason_and_the_stream_goes_on()
            throws Exception {
        // The set-up saw the checkpoint pass every row with the observer alive: the row did not wedge the stream.
        List<String> errors = deadLetters("(listener)");
        assertThat(errors).singleElement().satisfies(e -> assertThat(e)
                .contains("cannot be read as an event").contains("nesting depth"));
        assertThat(hooks.requests()).noneMatch(r -> r.bodyText().contains("\"label\":\"deep-nesting\""));
        assertThat(delivered("long-number")).isNotNull(); // written after it
    }

    /**
     * {@code replay} over the whole log steps over the row it cannot read, names it and what to do, counts it, and
     * delivers the rows written after it; it files no second letter (the listener filed the row already).
     */
    @Test
    void a_replay_steps_over_the_row_it_cannot_read_names_it_and_delivers_the_rows_after_it() throws Exception {
        long deep = FaultSupport.queryLong(postgres, "select id from pgobserver.change_log "
                + "where after->>'label' = 'deep-nesting'");
        long newest = FaultSupport.queryLong(postgres, "select max(id) from pgobserver.change_log");
        int before = hooks.requests().size();

        ObserverProcess.Finished replay = ObserverProcess.runToEnd("replay", Path.of("target", "bad-input-replay.log"),
                Map.of(), "replay", "--config", config.toString(), "--observer", "all", "--from-position", "1",
                "--to-position", Long.toString(newest));

        assertThat(replay.exitCode()).as(replay.output()).isZero();
        assertThat(replay.output()).contains("warning: skipped change_log row " + deep
                        + ": it cannot be read as an event (").contains("nesting depth")
                .contains("'run' files it with the dead letters of consumer 'bad-input' as observer '(listener)'")
                .contains("replayed " + (Long.parseLong(outcomes.get("rows")) - 1) + " event(s) for observer all")
                .contains("; 1 row(s) skipped that cannot be read as events, named above): "
                        + (Long.parseLong(outcomes.get("rows")) - 1) + " delivered, 0 not matching the condition, "
                        + "0 failed");
        List<WebhookReceiver.Request> replayed = hooks.requestsSince(before);
        assertThat(replayed).hasSize(Integer.parseInt(outcomes.get("rows")) - 1)
                .allMatch(r -> r.path().equals("/all") && "true".equals(r.header("webhook-replay")))
                .anyMatch(r -> r.bodyText().contains("\"label\":\"long-number\"")) // written after the bad row
                .noneMatch(r -> r.bodyText().contains("\"label\":\"deep-nesting\""));
        assertThat(deadLetters("(listener)")).as("no second letter for the row").hasSize(1);
    }

    @Test
    void a_condition_on_a_missing_field_is_false_not_an_error() throws Exception {
        assertThat(hooks.requests()).noneMatch(r -> r.path().equals("/missing"));
        assertThat(deadLetters("missing_field")).isEmpty();
    }

    @Test
    void a_condition_that_fails_at_run_time_dead_letters_the_event_with_the_error_and_others_still_run()
            throws Exception {
        List<String> errors = deadLetters("type_mismatch");
        // Every row but the one the listener could not read reached the observers.
        assertThat(errors).hasSize(Integer.parseInt(outcomes.get("rows")) - 1);
        assertThat(errors).allSatisfy(e -> assertThat(e).contains("condition of observer 'type_mismatch' failed"));
        assertThat(hooks.requests()).noneMatch(r -> r.path().equals("/mismatch"));
        assertThat(hooks.requests().stream().filter(r -> r.path().equals("/all")).count())
                .isGreaterThanOrEqualTo(Long.parseLong(outcomes.get("rows")) - 1);
    }

    @Test
    void values_postgresql_refuses_fail_the_writers_statement_and_never_become_events() throws Exception {
        long before = countEvents();
        assertThatThrownBy(() -> write("nul", null, null, "{\"a\": \"\\u0000\"}"))
                .isInstanceOf(SQLException.class).hasMessageContaining("\\u0000");
        assertThatThrownBy(() -> write("lone-surrogate", null, null, "{\"a\": \"\\ud800\"}"))
                .isInstanceOf(SQLException.class).hasMessageContaining("surrogate");
        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute("insert into public.docs (label) values "
                    + "(convert_from('\\xff'::bytea, 'UTF8'))"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("invalid byte sequence");
        }
        assertThat(countEvents()).isEqualTo(before);
        assertThat(observer.isAlive()).isTrue();
    }

    private static long countEvents() throws SQLException {
        try (Connection c = postgres.connect("bad-input"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pgobserver.change_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
