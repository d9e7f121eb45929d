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
        try (AdminSession session = AdminSession.open(options, spec)) {
            Configuration config = session.config();
            PrintWriter out = spec.commandLine().getOut();
            CaptureInstaller installer = session.get(CaptureInstaller.class);
            out.println("schema pgobserver: " + installer.schema().summary());
            try {
                installer.install(qualified, idColumn);
            } catch (IllegalArgumentException e) {
                // A missing table or column: the user's input, named in the message; nothing was changed.
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
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
