package io.pgobserver.bootstrap.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.event.Snapshot;
import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.Backfills;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.CheckpointWords;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.OpenTransaction;
import io.pgobserver.domain.port.ParkedEvents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * The consumer's checkpoint, its lag, the open transaction whose events wait for its commit, the dead letters, parked
 * entities, backfills and whether a listener is active.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the consumer's checkpoint, how far it lags behind the change stream (events committed "
                + "and not yet read, and the oldest one's age), the oldest open transaction that has written events "
                + "(they wait for its commit), the consumer's dead letters per observer, its parked rows, the "
                + "backfills, the observed tables that are not captured, and whether a listener is active or none is "
                + "running. It only reads: it creates and migrates nothing, and exits 4 "
                + "when pg-observer is not installed in the database or its schema is older than this release.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    /** Parked entities listed by name, those parked longest: a receiver down for every row parks every row. */
    static final int PARKED_LISTED = 100;

    @Option(names = "--json", description = "Print one JSON object, for scripts and monitoring.")
    boolean json;

    /** What {@code status} reports. */
    record Report(String consumer, Optional<CheckpointStore.Saved> checkpoint, ChangeSource.Lag lag,
                  Optional<OpenTransaction> openTransaction, Map<String, Long> deadLetters,
                  ParkedEvents.Summary parked, boolean active, List<Backfill> backfills,
                  CaptureInstaller.Check capture, List<String> columns) {

        long deadLetterTotal() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A lane's name as people read it: "public.orders 42" (and the change_log id of a lone event's lane). */
    private static String readable(String lane) {
        return lane.replace('\u0000', ' ');
    }

    @Override
    public Integer call() throws Exception {
        try (StopSignals ignored = StopSignals.endingAtOnce(spec.commandLine().getErr(),
                () -> "nothing was changed: 'status' only reads")) {
            return report();
        }
    }

    private int report() throws Exception {
        Report report;
        try (AdminSession session = AdminSession.openToRead(options, spec)) {
            String consumer = session.config().listener().consumer();
            Optional<CheckpointStore.Saved> checkpoint = session.get(CheckpointStore.class).load(consumer);
            ChangeSource.Lag lag = session.get(ChangeSource.class).lag(checkpoint.map(CheckpointStore.Saved::done)
                    .orElse(Snapshot.ORIGIN));
            Optional<OpenTransaction> open = session.get(ChangeSource.class).oldestOpenWriter();
            Map<String, Long> letters = session.get(DeadLetters.class).countByObserver(consumer);
            ParkedEvents.Summary parked = session.get(ParkedEvents.class).summary(consumer, PARKED_LISTED);
            boolean active = session.get(Leadership.class).isHeldByAnyone();
            List<Backfill> backfills = session.get(Backfills.class).recent(5);
            // The first thing to rule out when events go missing; run warns of it, but only in its own log.
            CaptureInstaller.Check capture = session.get(CaptureInstaller.class)
                    .check(session.config().observers().stream().map(o -> o.entity()).toList());
            report = new Report(consumer, checkpoint, lag, open, letters, parked, active, backfills, capture,
                    ColumnWarnings.of(session));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? json(report) : human(report, "pg-observer backfill" + options.givenInQuotes()));
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * @param command the backfill command a hint tells to run, {@code pg-observer backfill} with the options given: a
     *                hint copied without them would read the default configuration, most often another database's.
     *                Quoted for inside the hint's single quotes ({@link ConfigOptions#givenInQuotes()})
     */
    static String human(Report report, String command) {
        StringBuilder text = new StringBuilder();
        text.append("consumer:      ").append(report.consumer()).append('\n');
        text.append("checkpoint:    ").append(report.checkpoint()
                .map(saved -> CheckpointWords.of(saved.checkpoint(), saved.dispatched()))
                .orElse("none yet (no event handled by this consumer)")).append('\n');
        text.append("lag:           ").append(lag(report.lag())).append('\n');
        report.openTransaction().filter(OpenTransaction::worthSaying)
                .ifPresent(open -> text.append(openTransaction(open)).append('\n'));
        text.append("dead letters:  ");
        if (report.deadLetters().isEmpty()) {
            text.append("none");
        } else {
            text.append(report.deadLetterTotal()).append(" (").append(report.deadLetters().entrySet().stream()
                    .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")))
                    .append("; see 'dlq list')");
        }
        text.append('\n');
        text.append("parked:        ");
        ParkedEvents.Summary parked = report.parked();
        if (parked.entities() == 0) {
            text.append("none");
        } else {
            text.append(parked.events()).append(" event(s) of ").append(parked.entities())
                    .append(" stuck entit").append(parked.entities() == 1 ? "y" : "ies").append(" (")
                    .append(parked.entities() > 5 ? "parked longest: " : "")
                    .append(parked.oldest().entrySet().stream().limit(5)
                            .map(e -> readable(e.getKey()) + ": " + e.getValue()).collect(Collectors.joining(", ")))
                    .append(parked.entities() > 5 ? ", …" : "")
                    .append("; they run in order once their receivers recover)");
        }
        text.append('\n');
        text.append("backfills:     ");
        if (report.backfills().isEmpty()) {
            text.append("none");
        }
        for (Backfill backfill : report.backfills()) {
            text.append("\n  ").append(progress(backfill));
            if (backfill.stopped()) {
                text.append(stop(backfill, Instant.now(), command));
            } else if (backfill.interrupted()) {
                text.append(interrupted(backfill, Instant.now(), command));
            }
        }
        text.append('\n');
        text.append("capture:       ").append(report.capture().summary()).append(report.capture().advice().stream()
                .map(advice -> "\n  " + advice).collect(Collectors.joining())).append('\n');
        text.append(ColumnWarnings.human(report.columns()));
        text.append("listener:      ").append(report.active()
                ? "active (a process holds the consumer lock)"
                : "none running: no process is listening for this consumer; start one with 'run'");
        return text.toString();
    }

    static String json(Report report) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        root.put("consumer", report.consumer());
        report.checkpoint().ifPresentOrElse(p -> {
            ObjectNode checkpoint = root.putObject("checkpoint");
            checkpoint.put("batch", p.checkpoint().batch()).put("after_id", p.checkpoint().afterId())
                    .put("done_snapshot", p.done().value()).put("epoch", p.epoch());
            checkpoint.putObject("dispatched").put("batch", p.dispatched().batch()).put("id", p.dispatched().id());
        }, () -> root.putNull("checkpoint"));
        root.putObject("lag").put("events", report.lag().events())
                .put("seconds", report.lag().age().toMillis() / 1000.0);
        report.openTransaction().ifPresentOrElse(open -> {
            ObjectNode node = root.putObject("open_transaction");
            // A prepared transaction has no session: no pid, its gid instead.
            node.put("pid", open.isPrepared() ? null : open.pid()).put("state", open.state())
                    .put("application", open.application()).put("role", open.role()).put("query", open.query())
                    .put("seconds", open.knownAge().map(age -> age.toMillis() / 1000.0).orElse(null))
                    .put("gid", open.gid());
        }, () -> root.putNull("open_transaction"));
        ObjectNode letters = root.putObject("dead_letters");
        letters.put("total", report.deadLetterTotal());
        ObjectNode byObserver = letters.putObject("by_observer");
        report.deadLetters().forEach(byObserver::put);
        ObjectNode parked = root.putObject("parked");
        parked.put("total", report.parked().events()).put("entities", report.parked().entities());
        ObjectNode byEntity = parked.putObject("by_entity");
        report.parked().oldest().forEach((lane, count) -> byEntity.put(readable(lane), count));
        root.put("active", report.active());
        report.columns().forEach(root.putArray("column_warnings")::add);
        ArrayNode capture = root.putArray("capture_problems");
        report.capture().problems().forEach(p -> capture.addObject().put("table", p.table())
                .put("problem", p.kind().label()).put("advice", p.advice()));
        ArrayNode backfills = root.putArray("backfills");
        for (Backfill b : report.backfills()) {
            ObjectNode node = backfills.addObject();
            node.put("id", b.id()).put("table", b.request().table()).put("observer", b.request().observer())
                    .put("where", b.request().where()).put("chunk", b.request().chunk())
                    .put("state", b.shownState()).put("rows_done", b.rowsDone())
                    .put("estimated_rows", b.estimatedRows());
            if (b.lastKey().isEmpty()) {
                node.putNull("last_key");
            } else {
                b.lastKey().forEach(node.putArray("last_key")::add);
            }
            node.put("started_at", b.startedAt().toString());
            b.rate().ifPresentOrElse(rate -> node.put("rows_per_second", rate), () -> node.putNull("rows_per_second"));
            b.secondsLeft().ifPresentOrElse(left -> node.put("seconds_left", left), () -> node.putNull("seconds_left"));
            node.put("stopped_at", b.stopped() ? b.stop().at().toString() : null)
                    .put("error", b.stopped() ? b.stop().error() : null);
        }
        return root.toString();
    }

    /**
     * Which transaction holds events back, and how to end it: "open transaction: pid 1234, idle in …", or "prepared
     * transaction: gid '…'". Said once open {@link OpenTransaction#SAID_AFTER}, or whatever its age when the database
     * hides it (with the grant that shows it).
     */
    static String openTransaction(OpenTransaction open) {
        return open.kind() + ": " + open.describe(null) + ", its events wait for its commit"
                + (open.query() == null ? "" : "\n    last statement: " + open.query())
                + "\n    " + open.howToEnd();
    }

    /**
     * A backfill in one line: "backfill 3 of public.orders running: 12000 of ~200000 rows, last key 12000, 4100
     * rows/s, about 46 s left". The total is the planner's estimate ({@code pg_class.reltuples}), refreshed by
     * ANALYZE. The last key is where a resume goes on, for choosing between resume and cancel (a finished one's says
     * nothing to act on). A stopped one has no rate: nothing runs it.
     */
    static String progress(Backfill b) {
        StringBuilder line = new StringBuilder("backfill ").append(b.id()).append(" of ").append(b.request().table())
                .append(b.request().observer() == null ? "" : " for " + b.request().observer()).append(' ')
                .append(b.shownState()).append(": ").append(b.rowsDone());
        if (b.state() == Backfill.State.RUNNING && b.estimatedRows() >= 0) {
            line.append(" of ~").append(b.estimatedRows());
        }
        line.append(" rows");
        if (b.state() != Backfill.State.FINISHED) {
            b.shownLastKey().ifPresent(key -> line.append(", last key ").append(key));
        }
        if (!b.stopped() && !b.interrupted()) {
            b.rate().ifPresent(rate -> line.append(String.format(Locale.ROOT, ", %.0f rows/s", rate)));
        }
        b.secondsLeft().ifPresent(left -> line.append(", about ").append(left).append(" s left"));
        return line.toString();
    }

    /**
     * Why and since when a stopped backfill waits, and the two ways on, so that it reads as nothing like one making
     * progress: it stays unfinished until someone resumes or cancels it.
     */
    static String stop(Backfill b, Instant now, String command) {
        String table = ShellWord.inQuotes(b.request().table());
        return "\n    since " + b.stop().at() + " (" + ago(b.stop().at(), now) + "): " + b.stop().error().replace("\n", "\n      ") // the server's "Position: 88" lines
                + "\n    fix what it fails on, then '" + command + " --resume --table " + table + "'; or '" + command
                + " --cancel --table " + table + "' and start a new backfill (with a corrected --where)";
    }

    /**
     * That no process runs an unfinished backfill (its process was killed or lost its session: the database says so,
     * see Backfills.attend), since when nothing moved, and the two ways on. Else it would read as running for ever.
     */
    static String interrupted(Backfill b, Instant now, String command) {
        String table = ShellWord.inQuotes(b.request().table());
        return "\n    no process runs it (its process was killed, crashed or lost its database session); last chunk "
                + b.updatedAt() + " (" + ago(b.updatedAt(), now) + ")"
                + "\n    '" + command + " --resume --table " + table + "' goes on after that chunk; or '" + command
                + " --cancel --table " + table + "'";
    }

    private static String ago(Instant at, Instant now) { // 40s, 1h 3m, 2d 4h: as the lag and open transactions say
        return Durations.rounded(Duration.between(at, now)) + " ago";
    }

    /** "3 event(s) behind (…), the oldest committed 12.3s ago", or 4m 10s, 2h 3m, 1d 12h. */
    static String lag(ChangeSource.Lag lag) {
        if (lag.events() == 0) {
            return "0 event(s) behind";
        }
        Duration age = lag.age();
        String ago = age.compareTo(Duration.ofMinutes(1)) < 0
                ? String.format(Locale.ROOT, "%.1fs", age.toMillis() / 1000.0) : Durations.rounded(age);
        return lag.events() + " event(s) behind (committed after the last finished batch), the oldest committed "
                + ago + " ago";
    }
}
