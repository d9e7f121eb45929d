package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.ReplayHistory;
import io.pgobserver.domain.port.ChangeHistory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

/** {@code replay}: runs a stretch of the change stream again for one observer. */
@Command(name = "replay", mixinStandardHelpOptions = true,
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

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @ArgGroup(exclusive = false)
        Times times;

        @ArgGroup(exclusive = false)
        Positions positions;
    }

    static final class Times {
        @Option(names = "--from", required = true, paramLabel = "TIME",
                description = "The stretch's first moment, ISO-8601 with an offset (2026-12-02T08:00:00Z), inclusive.")
        String from;

        @Option(names = "--to", required = true, paramLabel = "TIME", description = "Its last moment, inclusive.")
        String to;
    }

    static final class Positions {
        @Option(names = "--from-position", required = true, paramLabel = "ID",
                description = "The stretch's first change_log id, inclusive ('status' shows ids).")
        long from;

        @Option(names = "--to-position", required = true, paramLabel = "ID", description = "Its last id, inclusive.")
        long to;
    }

    @Override
    public Integer call() throws Exception {
        ChangeHistory.Stretch stretch;
        try {
            stretch = which.times != null
                    ? ChangeHistory.Stretch.between(time("--from", which.times.from), time("--to", which.times.to))
                    : ChangeHistory.Stretch.positions(which.positions.from, which.positions.to);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ReplayHistory.Summary summary;
        try (AdminSession session = AdminSession.open(options, spec)) {
            summary = session.get(ReplayHistory.class).replay(observer, stretch);
        } catch (ReplayHistory.Refused e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("replayed " + summary.replayed() + " event(s) for observer " + observer + " (" + stretch + "; "
                + summary.read() + " event(s) of its table in the stretch)");
        out.flush();
        return ExitCodes.OK;
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
