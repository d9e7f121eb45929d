package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayHistory;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.DeadLetter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code replay}: runs a stretch of the change stream again for one observer. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        customSynopsis = {"pg-observer replay [-hV] [--verbose] [--adapters-dir=DIR] [-c=FILE]",
            "    [--set=KEY=VALUE]... --observer=NAME",
            "    (--from=TIME --to=TIME | --from-position=ID --to-position=ID)"},
        description = "Run a stretch of the change stream again for one observer, with its current condition and "
                + "actions: each event in a new trace linked to its original one, webhooks marked "
                + "'webhook-replay: true'. No checkpoint moves and no other observer runs, so it is safe while "
                + "'run' is active. Refused when retention already deleted part of the stretch. A row that cannot be "
                + "read as an event is skipped, named on standard error and counted; the replay goes on. Prints "
                + "how many events were delivered, did not match the condition, and failed and were dead-lettered.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the stretch ran and no event failed (skipped rows do not change it)",
            "1:the replay stopped before the end of its stretch (the database lost, SIGINT or SIGTERM, an "
                + "unexpected failure): the events before stay replayed, and the last line names the last "
                + "change_log id done and the command that runs the rest",
            "2:bad usage, or the replay was refused before it began",
            "3:the stretch ran, and at least one event failed and was dead-lettered"})
final class ReplayCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--observer", required = true, paramLabel = "NAME", description = "The observer to run.")
    String observer;

    @Option(names = "--from", paramLabel = "TIME",
            description = "The stretch's first moment, ISO-8601 with an offset (2026-12-02T08:00:00Z), inclusive.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Its last moment, inclusive; one in the future "
            + "means up to now, the moment the replay starts (a line says so).")
    String to;

    @Option(names = "--from-position", paramLabel = "ID",
            description = "Or by position: the stretch's first change_log id, inclusive ('status' shows ids).")
    Long fromPosition;

    @Option(names = "--to-position", paramLabel = "ID", description = "Its last id, inclusive; one past the newest "
            + "change_log id means up to the newest (a line says so).")
    Long toPosition;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ChangeHistory.Stretch asked;
        try {
            asked = stretch();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage(), e);
        }
        // The stretch as asked until it is planned: a database lost before that is said with it.
        ReplayHistory.Plan plan = new ReplayHistory.Plan(asked, Optional.empty(), "");
        ReplayHistory.Summary summary;
        PrintWriter err = spec.commandLine().getErr();
        try (AdminSession session = StopSignals.opening(err, () -> AdminSession.open(options, spec))) {
            ReplayHistory replay = session.get(ReplayHistory.class);
            replay.requireObserver(observer); // an unknown name is the one error, not after a note on the stretch
            String consumer = session.config().listener().consumer();
            StopSignals signals = StopSignals.interruptingThisThread(err);
            try {
                // Clamped by the database's clock and newest id, not this host's clock (ReplayHistory.plan).
                plan = replay.plan(asked);
                plan.note().ifPresent(note -> {
                    out.println("note: " + note);
                    out.flush();
                });
                summary = replay.replay(observer, plan.stretch(), row -> {
                    ErrorLines.warn(err, skipped(row, consumer));
                });
            } catch (ReplayHistory.CutShort cut) {
                Thread.interrupted(); // the session closes as after any replay: spans flushed, connections closed
                if (cut.lastDone() < cut.lastId() || cut.running() != 0) {
                    out.println(replayed(cut.soFar(), plan, " so far"));
                    out.flush();
                    ErrorLines.say(err, stopped(cut, plan.stretch(), signals.received()), null);
                    return ExitCodes.FAILURE;
                }
                summary = cut.soFar(); // it stopped past its last row: the stretch ran whole
            } finally {
                signals.close();
            }
        } catch (ReplayHistory.Refused e) {
            throw usage(e.getMessage(), e);
        }
        out.println(replayed(summary, plan, ""));
        out.flush();
        // A failed event is in the dead letters, to be replayed from there: the stretch needs no second run, but a
        // script must be able to tell (exit 1 says the stretch did not run to its end). Skipped rows are named above
        // and leave the exit code as it is.
        return summary.failed() == 0 ? ExitCodes.OK : ExitCodes.DEAD_LETTERED;
    }

    private String replayed(ReplayHistory.Summary summary, ReplayHistory.Plan plan, String soFar) {
        return "replayed " + summary.replayed() + " event(s) for observer " + observer + soFar + " (" + plan.stretch()
                + plan.endNote() + "; " + summary.read() + " event(s) of its table in the stretch" + soFar
                + (summary.unreadable() == 0 ? "" : "; " + summary.unreadable() + " row(s) skipped that cannot be "
                + "read as events, named above") + "): " + endings(summary);
    }

    /**
     * Where a replay cut short stopped, why, and the command that runs the rest of its stretch alone: by change_log
     * id from the one after the last finished, also for a stretch given by time (ids go on from exactly there). A
     * database that stopped answering is said first, with what to do, and the pool's or driver's words after it.
     */
    private String stopped(ReplayHistory.CutShort cut, ChangeHistory.Stretch stretch, String signal) {
        var lost = cut.lostDatabase();
        String why = cut.interrupted() ? (signal == null ? "interrupted" : signal)
                // The letter's words follow in the notes; here only the store's failure, once.
                : cut.deadLetterNotStored().isPresent() ? "storing a dead letter failed: "
                + OneLine.of(String.valueOf(cut.getCause().getCause().getMessage()))
                : cut.running() != 0 ? "change_log id " + cut.running() + " failed unexpectedly: "
                + OneLine.of(cut.getMessage()) : OneLine.of(cut.getMessage());
        boolean none = stretch.byTime() ? cut.lastDone() == 0 : cut.lastDone() < stretch.fromId();
        long next = none && !stretch.byTime() ? stretch.fromId() : cut.lastDone() + 1;
        String rest = none && stretch.byTime() ? "--from " + stretch.from() + " --to " + stretch.to()
                : "--from-position " + next + " --to-position " + cut.lastId();
        List<String> notes = new ArrayList<>();
        if (lost.isEmpty()) {
            notes.add(why);
        }
        if (!none) {
            notes.add("every event up to it is done");
        }
        if (cut.running() != 0) {
            notes.add(cut.deadLetterNotStored().map(what -> "change_log id " + cut.running() + " is not done: "
                            + OneLine.of(what) + ", so it runs again with the resume (its actions delivered, too)")
                    .orElse("change_log id " + cut.running() + " was running, its actions may have reached their "
                            + "receivers, and it runs again with the resume: events are delivered at least once"));
        }
        lost.ifPresent(outage -> notes.add("cause: " + OneLine.of(outage.reason())));
        return "error: " + lost.map(outage -> outage.database() + " stopped answering, and the replay stopped before "
                        + "the end of its stretch: once it answers again, run the command at the end of this line; ")
                .orElse("the replay stopped before the end of its stretch; ")
                + "stopped " + (none ? "before its first event" : "at change_log id " + cut.lastDone()) + " ("
                + String.join("; ", notes) + "); resume with: pg-observer replay" + options.given() + " --observer "
                + ShellWord.of(observer) + " " + rest
                + (stretch.byTime() && !none ? " (the rest of " + stretch + " by change_log id; a row among those "
                + "ids whose transaction began outside those times runs too)" : "");
    }

    /** How the replayed events ended, and where the failed ones are now. */
    private static String endings(ReplayHistory.Summary summary) {
        return summary.delivered() + " delivered, " + summary.notMatching() + " not matching the condition, "
                + (summary.failed() == 0 ? "0 failed" : summary.failed() + " failed and dead-lettered (see "
                + "'pg-observer dlq list'; 'pg-observer dlq replay --all' once the receiver answers)");
    }

    /** The line for a row stepped over: which, why, where it is now, and what to do about it. */
    private String skipped(ChangeHistory.Unreadable row, String consumer) {
        return "warning: skipped change_log row " + row.id() + ": it cannot be read as an event ("
                + OneLine.of(row.reason()) + "); the replay goes on. The row stays in pgobserver.change_log, "
                + "and 'run' files it with the dead letters of consumer '" + consumer + "' as observer '"
                + DeadLetter.UNREADABLE_ROW + "' when it reads it (see 'dlq list'). If observer '" + observer
                + "' needs this change, handle it by hand.";
    }

    /** The stretch asked for: by time or by position, each with both ends, and not a mix of the two. */
    private ChangeHistory.Stretch stretch() {
        boolean byTime = from != null || to != null;
        boolean byPosition = fromPosition != null || toPosition != null;
        if (byTime && byPosition) {
            throw new IllegalArgumentException("time and position ranges cannot be mixed (" + given() + "): "
                    + "replay either --from TIME --to TIME or --from-position ID --to-position ID");
        }
        if (!byTime && !byPosition) {
            throw new IllegalArgumentException("say which stretch to replay: --from TIME --to TIME, or "
                    + "--from-position ID --to-position ID");
        }
        if (byTime && (from == null || to == null)) {
            throw new IllegalArgumentException(from == null ? "--to needs --from, the stretch's first moment"
                    : "--from needs --to, the stretch's last moment (a time in the future means up to now)");
        }
        if (byPosition && (fromPosition == null || toPosition == null)) {
            throw new IllegalArgumentException(fromPosition == null
                    ? "--to-position needs --from-position, the stretch's first change_log id"
                    : "--from-position needs --to-position, the stretch's last change_log id");
        }
        return byTime ? ChangeHistory.Stretch.between(time("--from", from), time("--to", to))
                : ChangeHistory.Stretch.positions(fromPosition, toPosition);
    }

    /** The range flags given, in the usage's order. */
    private String given() {
        List<String> given = new ArrayList<>();
        if (from != null) {
            given.add("--from");
        }
        if (to != null) {
            given.add("--to");
        }
        if (fromPosition != null) {
            given.add("--from-position");
        }
        if (toPosition != null) {
            given.add("--to-position");
        }
        return "given: " + String.join(", ", given);
    }

    private CommandLine.ParameterException usage(String message, Exception cause) {
        return new CommandLine.ParameterException(spec.commandLine(), message, cause);
    }

    private Instant time(String option, String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not an ISO-8601 time with an offset, "
                    + "such as 2026-12-02T08:00:00Z or 2026-12-02T09:00:00+01:00");
        }
    }
}
