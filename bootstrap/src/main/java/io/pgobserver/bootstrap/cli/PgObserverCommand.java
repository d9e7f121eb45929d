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
        subcommands = {RunCommand.class, io.pgobserver.bootstrap.demo.DemoCommand.class, CheckConfigCommand.class, InstallCommand.class, StatusCommand.class, DlqCommand.class, CommandLine.HelpCommand.class})
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
            boolean verbose = matched(parseResult, "--verbose");
            if (e instanceof ConfigException) {
                err.println("configuration error: " + e.getMessage());
                if (verbose) {
                    e.printStackTrace(err);
                }
                err.flush();
                return ExitCodes.USAGE;
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (verbose) {
                err.println("error: " + message);
                e.printStackTrace(err);
            } else {
                // One line: what failed and how to fix it; the stack trace only on request.
                err.println("error: " + message.replaceAll("\\s*\\R\\s*", " ").strip()
                        + " (--verbose prints the stack trace)");
            }
            err.flush();
            return ExitCodes.FAILURE;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            // picocli's own messages start with "Error: ", which the prefix already says.
            err.println("usage error: " + String.valueOf(e.getMessage()).replaceFirst("^Error: ", ""));
            err.println("(see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /** Whether the option was given on the command or any subcommand below it. */
    private static boolean matched(CommandLine.ParseResult result, String option) {
        return result.hasMatchedOption(option) || result.subcommands().stream().anyMatch(s -> matched(s, option));
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
