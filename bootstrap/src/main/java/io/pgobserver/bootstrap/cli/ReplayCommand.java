package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayHistory;
import io.pgobserver.domain.port.ChangeHistory;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code replay}: runs a stretch of the change stream again for one observer. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        customSynopsis = {"pg-observer replay [-hV] [--verbose] [--adapters-dir=DIR] [-c=FILE]",
            "    [--set=KEY=VALUE]... --observer=NAME",
            "    (--from=TIME --to=TIME | --from-position=ID --to-position=ID)"},
        description = "Run a stretch of the change stream again for one observer, with its current condition and "
                + "actions: each event in a new trace linked to its original one, webhooks marked "
                + "'webhook-replay: true'. No checkpoint moves and no other observer runs, so it is safe while "
                + "'run' is active. Refused when retention already deleted part of the stretch.")
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

    @Option(names = "--to-position", paramLabel = "ID", description = "Its last id, inclusive.")
    Long toPosition;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ChangeHistory.Stretch asked;
        try {
            asked = stretch();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage(), e);
        }
        ChangeHistory.Stretch stretch = asked;
        if (asked.byTime() && asked.from().isAfter(now)) {
            throw usage("--from " + from + " is in the future (it is now " + now + "): nothing is recorded there "
                    + "yet; give a stretch that has begun", null);
        }
        if (asked.byTime() && asked.to().isAfter(now)) {
            // A replay runs what is recorded and ends: it does not wait for the rest of the stretch. The end is
            // fixed now, so rows written while it runs are not half taken.
            stretch = ChangeHistory.Stretch.between(asked.from(), now);
            out.println("note: --to " + to + " is in the future; replaying up to now, " + now + ", the moment the "
                    + "replay started (events written after it are not replayed: a later replay can start there)");
            out.flush();
        }
        ReplayHistory.Summary summary;
        try (AdminSession session = AdminSession.open(options, spec)) {
            summary = session.get(ReplayHistory.class).replay(observer, stretch);
        } catch (ReplayHistory.Refused e) {
            throw usage(e.getMessage(), e);
        }
        out.println("replayed " + summary.replayed() + " event(s) for observer " + observer + " (" + stretch
                + (stretch == asked ? "" : ", when the replay started") + "; " + summary.read() + " event(s) of its table in the "
                + "stretch)");
        out.flush();
        return ExitCodes.OK;
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
