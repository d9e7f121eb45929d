package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.RunBackfill;
import io.pgobserver.application.Sleeper;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.event.TableName;
import io.pgobserver.domain.port.Backfill;
import io.pgobserver.domain.port.BackfillRequest;
import io.pgobserver.domain.port.Backfills;
import io.pgobserver.domain.port.DatabaseStoppedAnswering;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code backfill}: logs a {@code read} change for every existing row of a table, chunk by chunk, in order with the
 * live changes of each row; resumes an unfinished one; cancels one.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = "Send every existing row of a captured table through the observers as a 'read' event, chunk "
                + "by chunk in primary-key order, in order with the row's live changes. An unfinished backfill of "
                + "the table (a crash, a failover) is resumed from its last finished chunk. The 'run' process "
                + "delivers the events.")
final class BackfillCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--table", paramLabel = "SCHEMA.TABLE",
            description = "The table to backfill (it needs a primary key and the capture trigger of 'install').")
    String table;

    @Option(names = "--observer", paramLabel = "NAME",
            description = "Only this observer gets the read events; the others skip them (default: every "
                    + "observer of the table whose 'on' includes read).")
    String observer;

    @Option(names = "--where", paramLabel = "SQL",
            description = "Only rows matching this SQL condition on the table's columns, e.g. \"status = 'open'\".")
    String where;

    @Option(names = "--chunk", paramLabel = "N", defaultValue = "1000",
            description = "Rows per chunk, each one transaction holding its rows' share locks (default: "
                    + "${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--resume", description = "Resume the unfinished backfill of --table, or of every table "
            + "when --table is not given, without starting a new one.")
    boolean resume;

    @Option(names = "--cancel", description = "Cancel the unfinished backfill of --table: its next chunk logs "
            + "nothing; the read events already logged are still delivered.")
    boolean cancel;

    private final BackfillsInHand inHand = new BackfillsInHand();

    @Override
    public Integer call() throws Exception {
        if (resume && cancel) {
            throw usage("--resume and --cancel exclude each other");
        }
        if ((cancel || !resume) && (table == null || table.isBlank())) {
            throw usage("--table must name the table, such as public.orders");
        }
        boolean chunkGiven = spec.commandLine().getParseResult().hasMatchedOption("--chunk");
        if ((resume || cancel) && (observer != null || where != null || chunkGiven)) {
            throw usage("--observer, --where and --chunk belong to a new backfill; a resumed or cancelled one keeps "
                    + "its own");
        }
        // Checked before connecting, so that a bad value is a usage error (exit 2) however it is found.
        BackfillRequest request = resume || cancel ? null : request();
        PrintWriter out = spec.commandLine().getOut();
        try {
            return run(request, out);
        } catch (DatabaseStoppedAnswering lost) {
            // Lost at a step around the chunks: a chunk's own loss is waited out (RunBackfill runs it again).
            PrintWriter err = spec.commandLine().getErr();
            ErrorLines.say(err, lost(lost), null);
            return ExitCodes.FAILURE;
        }
    }

    /**
     * The database lost outside a chunk: where each backfill taken up stands, the resume and the cancel as for a
     * signal, once one is (a resume of several tables takes each up before the first chunk, and may lose the next
     * table's attendance session); before that, this command to run again.
     */
    private String lost(DatabaseStoppedAnswering lost) {
        String cause = "cause: " + OneLine.of(lost.reason());
        if (!cancel && !inHand.unfinished().isEmpty()) {
            return "error: " + lost.database() + " stopped answering: " + inHand.cutShort(BackfillsInHand.WHOLE_CHUNKS
                    + "; " + cause, "once it answers again, ", options);
        }
        return "error: " + lost.database() + " stopped answering, and " + (cancel ? "the cancel was not done"
                : "the backfill stopped before its first chunk") + ": once it answers again, run the command at the "
                + "end of this line (" + cause + "); run again: pg-observer backfill" + options.given() + given();
    }

    private int run(BackfillRequest request, PrintWriter out) throws Exception {
        try (AdminSession session = StopSignals.opening(spec.commandLine().getErr(),
                () -> AdminSession.open(options, spec))) {
            String note = request == null ? null : checkObservers(session.config(), request);
            Backfills backfills = session.get(Backfills.class);
            if (cancel) {
                return cancel(backfills, out);
            }
            RunBackfill runner = new RunBackfill(backfills, Sleeper.SYSTEM);
            // Held until this process ends its backfills, by whatever way: status then tells them from ones whose
            // process is gone (a kill -9 writes nothing). Renewed after each chunk, should a failover end it.
            Map<String, Backfills.Attendance> attended = new HashMap<>();
            try (StopSignals signals = StopSignals.interruptingThisThread(spec.commandLine().getErr())) {
                for (Backfill backfill : toRun(backfills, runner, request, note, out, attended)) {
                    ProgressLine line = new ProgressLine(out);
                    Backfill end;
                    try {
                        end = runner.run(backfill, b -> {
                            inHand.update(b);
                            // Under the name as stored, should the catalog spell it otherwise than it was given.
                            attended.computeIfAbsent(b.request().table(), backfills::attend).renew();
                            line.accept(b);
                        });
                    } catch (InterruptedException e) {
                        // A chunk failing for good is thrown on: its message says how to go on (fix, resume, cancel).
                        Thread.interrupted(); // the attendance and the session close as after any backfill
                        PrintWriter err = spec.commandLine().getErr();
                        // Every backfill it leaves unfinished: the one in flight (its chunk rolled back or committed
                        // whole) and, in a resume of several tables, those after it; and how to go on.
                        ErrorLines.say(err, "error: " + inHand.cutBySignal(signals.received() == null
                                ? "interrupted" : signals.received(), options), null);
                        return ExitCodes.FAILURE;
                    }
                    out.println("backfill " + end.id() + " of " + end.request().table() + " "
                            + end.state().wireName() + ": " + end.rowsDone() + " row(s) logged as read events");
                    out.flush();
                }
            } finally {
                attended.values().forEach(Backfills.Attendance::close);
            }
        }
        return ExitCodes.OK;
    }

    /**
     * This command's own options, for the line that runs it again: a new backfill's again (it resumes the table's
     * backfill if the first run recorded it), or the resume or the cancel.
     */
    private String given() {
        String tableWord = table == null ? "" : " --table " + ShellWord.of(table);
        if (resume || cancel) {
            return (resume ? " --resume" : " --cancel") + tableWord;
        }
        return tableWord + (observer == null ? "" : " --observer " + ShellWord.of(observer))
                + (where == null ? "" : " --where " + ShellWord.of(where))
                + (spec.commandLine().getParseResult().hasMatchedOption("--chunk") ? " --chunk " + chunk : "");
    }

    private List<Backfill> toRun(Backfills backfills, RunBackfill runner, BackfillRequest request, String note,
                                 PrintWriter out, Map<String, Backfills.Attendance> attended) {
        if (resume) {
            List<Backfill> found = table == null ? backfills.running()
                    : backfills.running(table).map(List::of).orElse(List.<Backfill>of());
            if (found.isEmpty()) {
                out.println("no unfinished backfill" + (table == null ? "" : " of " + TableName.qualify(table))
                        + " to resume");
            }
            // Attended before the resume, so that it never reads as interrupted once resumed; a resume clears a
            // stop its failing chunk recorded: status shows it running again, not stopped.
            found.forEach(inHand::update);
            List<Backfill> running = new ArrayList<>();
            for (Backfill b : found) {
                attended.put(b.request().table(), backfills.attend(b.request().table()));
                running.add(backfills.resume(b.id()));
                inHand.update(running.getLast());
                out.println(describe(b.interrupted() ? "resuming interrupted" : "resuming", running.getLast()));
                if (b.attended()) {
                    out.println("note: another process runs backfill " + b.id() + " too; their chunks take turns");
                }
            }
            out.flush();
            return running;
        }
        attended.put(request.table(), backfills.attend(request.table()));
        Backfill backfill;
        try {
            backfill = runner.start(request);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        inHand.update(backfill);
        boolean resumed = backfill.rowsDone() > 0 || !backfill.request().equals(request);
        out.println(describe(resumed ? "resuming unfinished" : "started", backfill));
        // After the start: a table that is not there is the one thing to say about it.
        if (note != null) {
            out.println(note);
        }
        out.flush();
        return new ArrayList<>(List.of(backfill));
    }

    private BackfillRequest request() {
        try {
            return new BackfillRequest(table, observer, where, chunk);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * The named observer must watch the table; without one whose {@code on} has read, nobody gets the rows: the note
     * to print once the backfill started, or null.
     */
    private String checkObservers(Configuration config, BackfillRequest request) {
        String qualified = request.table();
        List<Configuration.ObserverDefinition> readers = config.observers().stream()
                .filter(o -> o.entity().equals(qualified) && o.on().contains(ChangeKind.READ)).toList();
        if (observer != null && readers.stream().noneMatch(o -> o.name().equals(observer))) {
            throw usage("--observer " + observer + " names no observer of " + qualified + " whose 'on' includes "
                    + "read (observers." + observer + ".entity: " + qualified + ", and on: [read, ...] or no 'on')");
        }
        return readers.isEmpty() ? "note: no observer in this configuration gets read events of " + qualified
                + " (observers.<name>.entity: " + qualified + ", with read in 'on' or no 'on')" : null;
    }

    private int cancel(Backfills backfills, PrintWriter out) {
        var cancelled = backfills.cancel(table);
        if (cancelled.isEmpty()) {
            out.println("no unfinished backfill of " + TableName.qualify(table) + " to cancel");
        } else {
            Backfill b = cancelled.get();
            out.println("backfill " + b.id() + " of " + b.request().table() + " cancelled after " + b.rowsDone()
                    + " row(s)");
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String describe(String what, Backfill b) {
        BackfillRequest r = b.request();
        return what + " backfill " + b.id() + " of " + r.table()
                + (r.observer() == null ? " for every observer" : " for observer " + r.observer())
                + (r.where() == null ? "" : " where " + r.where()) + ", chunks of " + r.chunk()
                + (b.rowsDone() > 0 ? ", " + b.rowsDone() + " row(s) already done" : "");
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** One line of progress every 10 seconds (and none for short backfills). */
    private static final class ProgressLine implements java.util.function.Consumer<Backfill> {
        private final PrintWriter out;
        private long next = System.nanoTime() + 10_000_000_000L;

        ProgressLine(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void accept(Backfill b) {
            if (System.nanoTime() < next || b.state() != Backfill.State.RUNNING) {
                return;
            }
            next = System.nanoTime() + 10_000_000_000L;
            out.println(StatusCommand.progress(b));
            out.flush();
        }
    }
}
