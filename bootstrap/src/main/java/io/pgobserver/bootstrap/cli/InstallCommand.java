package io.pgobserver.bootstrap.cli;

import io.pgobserver.domain.event.ShellWord;
import io.pgobserver.domain.event.TableName;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.domain.port.CaptureInstaller;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Creates the schema (migrations) and the capture trigger on the tables named. A real schema has hundreds of tables
 * to capture: one command for them all starts one JVM and checks the schema once, where a command per table took
 * seconds each.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Create or migrate the pgobserver schema and install the capture trigger on each table named. "
                + "Installing again replaces the trigger as given (its id column, the columns left out).")
final class InstallCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    /** How many unobserved tables the note names before it only counts them. */
    private static final int NAMED = 5;

    @Option(names = "--table", required = true, paramLabel = "SCHEMA.TABLE",
            description = "The table to capture, as the catalog spells it (unquoted names are lower case); a bare "
                    + "name means the public schema. Repeatable: the tables are installed one after the other.")
    List<String> tables;

    @Option(names = "--id-column", paramLabel = "COL",
            description = "The column whose value becomes the event's entity id (default: the table's "
                    + "single-column primary key); with several --table, of each of them.")
    String idColumn;

    @Option(names = "--exclude-column", paramLabel = "COL",
            description = "A column to leave out of the events (a password hash, a token, personal data): it never "
                    + "reaches the change log, so no action, span or page carries it. Repeatable; with several "
                    + "--table, of each of them. Installing again without it captures the column again.")
    List<String> excludedColumns = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (String table : tables) {
            if (table.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--table must name a table, such as public.orders");
            }
        }
        if (excludedColumns.stream().anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--exclude-column must name a column, such as password_hash");
        }
        if (idColumn != null && idColumn.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--id-column must name a column, or be left out to use the primary key");
        }
        List<String> qualified = tables.stream().map(TableName::qualify).distinct().toList();
        // What a stop says was done. Each step is one transaction (each migration, then each table's trigger drop and
        // create), which the connection the stop ends rolls back whole: nothing is ever half done, and installing
        // again finishes what the stop left.
        AtomicReference<String> done = new AtomicReference<>("the capture of " + String.join(", ", qualified)
                + " was not changed, nor any other table's; schema pgobserver is as it was or migrated in part (each "
                + "migration is applied whole or not at all)" + again(qualified));
        try (StopSignals ignored = StopSignals.endingAtOnce(spec.commandLine().getErr(), done::get);
             AdminSession session = AdminSession.open(options, spec)) {
            Configuration config = session.config();
            PrintWriter out = spec.commandLine().getOut();
            CaptureInstaller installer = session.get(CaptureInstaller.class);
            out.println("schema pgobserver: " + installer.schema().summary());
            out.flush();
            for (int i = 0; i < qualified.size(); i++) {
                done.set(stoppedAt(qualified, i));
                install(installer, qualified, i, out);
            }
            List<String> unobserved = qualified.stream()
                    .filter(t -> config.observers().stream().noneMatch(o -> o.entity().equals(t))).toList();
            if (!unobserved.isEmpty()) {
                out.println(unobservedNote(unobserved));
            }
            done.set("the install is done: schema pgobserver is migrated and " + String.join(", ", qualified)
                    + (qualified.size() == 1 ? " is" : " are") + " captured");
            out.flush();
        }
        return ExitCodes.OK;
    }

    /**
     * One note for the installed tables no observer watches: installing a schema's 150 tables before writing their
     * observers is a plan, and 150 notes saying so buried the install's own lines.
     */
    static String unobservedNote(List<String> unobserved) {
        String first = unobserved.getFirst();
        String named = unobserved.size() <= NAMED ? String.join(", ", unobserved) + " yet"
                : unobserved.size() + " of these tables yet: " + String.join(", ", unobserved.subList(0, NAMED))
                        + " and " + (unobserved.size() - NAMED) + " more";
        return "note: no observer in this configuration watches " + named + " (observers.<name>.entity: " + first
                + ")";
    }

    /** What a stop while table {@code i}'s trigger is installed leaves: the ones before it done, it and the rest not. */
    private String stoppedAt(List<String> qualified, int i) {
        String table = qualified.get(i);
        String others = qualified.size() == 1 ? "and other tables as they were"
                : "the " + i + " before it (of " + qualified.size() + ") are captured, the " + (qualified.size() - i - 1)
                        + " after it not tried, and other tables as they were";
        return "schema pgobserver is migrated; the capture trigger on " + table + " was not installed, as its "
                + "transaction did not commit (unless the stop came just as it did): " + table + " is captured as it "
                + "was before (not at all, or as an earlier install left it), " + others
                + again(qualified.subList(i, qualified.size()));
    }

    /**
     * The command that installs the tables a stop left, with the options this one was given. It stands in the
     * advice's single quotes, so each word is quoted for inside them: a single-quoted table name ({@code 'Sales
     * Dept.Orders'}) or {@code --set} would end them, and the pasted command would lose the word.
     */
    String again(List<String> left) {
        StringBuilder command = new StringBuilder("; run 'pg-observer install");
        left.forEach(t -> command.append(" --table ").append(ShellWord.inQuotes(t)));
        excludedColumns.forEach(c -> command.append(" --exclude-column ").append(ShellWord.inQuotes(c)));
        return command + (idColumn == null ? "" : " --id-column " + ShellWord.inQuotes(idColumn))
                + options.givenInQuotes() + "' again to finish it (installing again is harmless)";
    }

    private void install(CaptureInstaller installer, List<String> qualified, int i, PrintWriter out) {
        String table = qualified.get(i);
        List<String> capturedAgain;
        try {
            capturedAgain = installer.install(table, idColumn, excludedColumns);
        } catch (IllegalArgumentException e) {
            // A missing table or column: the user's input, named in the message; nothing was changed.
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + progress(qualified, i), e);
        } catch (IllegalStateException e) {
            // In use, or not the owner: exit 1 as for one table, naming which of the many it was.
            throw qualified.size() == 1 ? e : new IllegalStateException(e.getMessage() + progress(qualified, i), e);
        }
        out.println("capture trigger pgobserver_capture installed on " + table + ": entity id from "
                + (idColumn == null ? "its primary key column" : "column " + idColumn)
                + (excludedColumns.isEmpty() ? "" : "; left out of its events: " + String.join(", ",
                excludedColumns.stream().distinct().toList())));
        if (!capturedAgain.isEmpty()) {
            // Install replaces the capture as given; a column kept out before and forgotten now is worth a word.
            out.println("warning: " + table + ": " + String.join(", ", capturedAgain) + (capturedAgain.size() == 1
                    ? " was" : " were") + " left out of its events by the earlier install and " + (capturedAgain
                    .size() == 1 ? "is" : "are") + " captured again from now on; to keep "
                    + (capturedAgain.size() == 1 ? "it" : "them") + " out, install again with"
                    + capturedAgain.stream().map(c -> " --exclude-column " + ShellWord.inQuotes(c))
                    .collect(Collectors.joining()));
        }
        out.flush(); // one line per table as it is done: a long list shows how far it got
    }

    /** Of many tables, which one failed and what the others got, so that running it again is safe to decide. */
    private static String progress(List<String> qualified, int failed) {
        if (qualified.size() == 1) {
            return "";
        }
        return " (table " + (failed + 1) + " of " + qualified.size() + ": the " + failed + " before it are installed, "
                + (qualified.size() - failed - 1) + " after it not tried; fix it, or leave it out, and run the "
                + "command again: installing again replaces a trigger)";
    }
}
