package io.pgobserver.bootstrap.cli;

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
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Creates the schema (migrations) and the capture trigger on one table. */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Create or migrate the pgobserver schema and install the capture trigger on a table. "
                + "Installing again replaces the trigger (and can change the id column).")
final class InstallCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--table", required = true, paramLabel = "SCHEMA.TABLE",
            description = "The table to capture, as the catalog spells it (unquoted names are lower case); a bare "
                    + "name means the public schema.")
    String table;

    @Option(names = "--id-column", paramLabel = "COL",
            description = "The column whose value becomes the event's entity id (default: the table's "
                    + "single-column primary key).")
    String idColumn;

    @Override
    public Integer call() throws Exception {
        if (table.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--table must name a table, such as public.orders");
        }
        if (idColumn != null && idColumn.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--id-column must name a column, or be left out to use the primary key");
        }
        String qualified = TableName.qualify(table);
        // What a stop says was done. Each step is one transaction (each migration, then the trigger's drop and
        // create), which the connection the stop ends rolls back whole: nothing is ever half done, and installing
        // again finishes what the stop left.
        String again = "; run 'pg-observer install --table " + ShellWord.of(qualified)
                + (idColumn == null ? "" : " --id-column " + ShellWord.of(idColumn)) + options.given()
                + "' again to finish it (installing again is harmless)";
        AtomicReference<String> done = new AtomicReference<>("the capture of " + qualified + " was not changed, nor "
                + "any other table's; schema pgobserver is as it was or migrated in part (each migration is applied "
                + "whole or not at all)" + again);
        try (StopSignals ignored = StopSignals.endingAtOnce(spec.commandLine().getErr(), done::get);
             AdminSession session = AdminSession.open(options, spec)) {
            Configuration config = session.config();
            PrintWriter out = spec.commandLine().getOut();
            CaptureInstaller installer = session.get(CaptureInstaller.class);
            out.println("schema pgobserver: " + installer.schema().summary());
            out.flush();
            done.set("schema pgobserver is migrated; the capture trigger on " + qualified + " was not installed, as "
                    + "its transaction did not commit (unless the stop came just as it did): " + qualified + " is "
                    + "captured as it was before (not at all, or as an earlier install left it), and other tables as "
                    + "they were" + again);
            try {
                installer.install(qualified, idColumn);
            } catch (IllegalArgumentException e) {
                // A missing table or column: the user's input, named in the message; nothing was changed.
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            done.set("the install is done: schema pgobserver is migrated and " + qualified + " is captured");
            out.println("capture trigger pgobserver_capture installed on " + qualified + ": entity id from "
                    + (idColumn == null ? "its primary key column" : "column " + idColumn));
            boolean watched = config.observers().stream().anyMatch(o -> o.entity().equals(qualified));
            if (!watched) {
                out.println("note: no observer in this configuration watches " + qualified
                        + " yet (observers.<name>.entity: " + qualified + ")");
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
