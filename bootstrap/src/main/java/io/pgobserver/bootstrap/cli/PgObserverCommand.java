package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The {@code pg-observer} command and its subcommands. */
@Command(name = "pg-observer", mixinStandardHelpOptions = true,
        versionProvider = PgObserverCommand.Version.class,
        description = "Watches PostgreSQL row changes, runs actions, and traces every event with OpenTelemetry.",
        subcommands = {RunCommand.class, io.pgobserver.bootstrap.demo.DemoCommand.class, CheckConfigCommand.class, io.pgobserver.bootstrap.bench.BenchCommand.class, CommandLine.HelpCommand.class})
public final class PgObserverCommand implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + spec.subcommands().keySet());
    }

    /** A command line with pg-observer's error handling: one line per error, exit 2 or 1, traces on --verbose. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PgObserverCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            if (e instanceof ConfigException) {
                err.println("configuration error: " + e.getMessage());
                if (verbose) {
                    e.printStackTrace(err);
                }
                err.flush();
                return ExitCodes.USAGE;
            }
            err.println("error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            if (verbose) {
                e.printStackTrace(err);
            } else {
                err.println("(run with --verbose for details)");
            }
            err.flush();
            return ExitCodes.FAILURE;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("usage error: " + e.getMessage());
            err.println("(see: pg-observer " + e.getCommandLine().getCommandName() + " --help)");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PgObserverCommand.class.getPackage().getImplementationVersion();
            return new String[]{"pg-observer " + (version == null ? "development build" : version)};
        }
    }
}
