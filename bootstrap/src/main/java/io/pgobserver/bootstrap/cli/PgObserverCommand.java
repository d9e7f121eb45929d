package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.LogFormatVariable;
import io.pgobserver.bootstrap.config.NearMisses;
import io.pgobserver.bootstrap.config.OneLine;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Host;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.Lifecycle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The {@code pg-observer} command and its subcommands. */
@Command(name = "pg-observer", mixinStandardHelpOptions = true,
        versionProvider = PgObserverCommand.Version.class,
        description = "Watches PostgreSQL row changes, runs actions, and traces every event with OpenTelemetry.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, InstallCommand.class, StatusCommand.class,
                DlqCommand.class, BackfillCommand.class, ReplayCommand.class,
                AdaptersCommand.class, CommandHelp.class})
public final class PgObserverCommand implements Runnable {

    /** Where the distribution's launcher says the installation is: its {@code adapters/} is the default folder. */
    public static final String HOME_PROPERTY = "pgobserver.home";
    public static final String ADAPTERS_DIR_VARIABLE = "PGOBSERVER_ADAPTERS_DIR";

    @Option(names = "--adapters-dir", paramLabel = "DIR", scope = CommandLine.ScopeType.INHERIT,
            description = "The folder of adapter folders to load (default: $" + ADAPTERS_DIR_VARIABLE
                    + ", else the installation's adapters/). The all-in-one jar carries its adapters inside and adds "
                    + "this folder's to them.")
    Path adaptersDir;

    private final AdapterCatalog catalog;

    PgObserverCommand(AdapterCatalog catalog) {
        this.catalog = catalog;
    }

    /** The installed adapters, for the subcommands. */
    AdapterCatalog catalog() {
        return catalog;
    }

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + CommandHelp.shown(spec.commandLine()));
    }

    /** The command line with the adapters on the class path (the all-in-one jar, and tests). */
    public static CommandLine commandLine() {
        return commandLine(AdapterCatalog.discover());
    }

    /**
     * The adapters folder for these arguments and this environment: {@code --adapters-dir}, else
     * {@code PGOBSERVER_ADAPTERS_DIR}, else the installation's {@code adapters/}; null when none applies (the
     * all-in-one jar). Read before picocli parses, because adapters add subcommands.
     */
    public static Path adaptersDir(String[] args, Map<String, String> env) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--adapters-dir") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--adapters-dir=")) {
                return Path.of(args[i].substring("--adapters-dir=".length()));
            }
        }
        String variable = env.get(ADAPTERS_DIR_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return Path.of(variable.trim());
        }
        String home = System.getProperty(HOME_PROPERTY);
        return home == null ? null : Path.of(home, "adapters");
    }

    /**
     * A command line with pg-observer's error handling (one line per error, exit 2 or 1, traces on --verbose) and
     * the subcommands the installed adapters add.
     */
    public static CommandLine commandLine(AdapterCatalog catalog) {
        CommandLine cli = new CommandLine(new PgObserverCommand(catalog));
        Host host = new Host(catalog);
        for (Adapter adapter : catalog.adapters()) {
            for (Object command : adapter.commands(host)) {
                cli.addSubcommand(command);
            }
        }
        // Before the handlers below are set: picocli gives them to the commands present when they are.
        CommandHelp.addBelow(cli);
        cli.setExecutionStrategy(parseResult -> {
            refuseUnmatched(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = matched(parseResult, "--verbose");
            if (e instanceof ConfigException config) {
                // One line a problem, as for every error: an adapter's message may quote a snippet over several
                // (CEL does). The stack trace, with every problem's, once after them all.
                List<String> problems = config.problems();
                for (int i = 0; i < problems.size(); i++) {
                    ErrorLines.say(err, "configuration error: " + OneLine.of(problems.get(i)),
                            verbose && i == problems.size() - 1 ? e : null);
                }
                return ExitCodes.USAGE;
            }
            if (e instanceof StopSignals.Stopped) {
                // A stop, said as the command's other stops are: no trace, the attempt it ended is no error.
                ErrorLines.say(err, "error: " + e.getMessage(), null);
                return ExitCodes.FAILURE;
            }
            if (e instanceof Lifecycle.NotInstalled) {
                // The database answered and has no schema this command can read: the message names the command
                // that installs or migrates it.
                ErrorLines.say(err, "error: " + OneLine.of(e.getMessage()), null);
                return ExitCodes.NOT_INSTALLED;
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            // One line: what failed and how to fix it; the stack trace only on request.
            ErrorLines.say(err, verbose ? "error: " + message
                    : "error: " + OneLine.of(message) + " (--verbose prints the stack trace)", verbose ? e : null);
            return ExitCodes.FAILURE;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            // picocli's own messages start with "Error: ", which the prefix already says.
            // Its type names (int, long) are Java's: say it in the user's words.
            String message = String.valueOf(e.getMessage()).replaceFirst("^Error: ", "")
                    .replaceFirst("' is not an? (int|long)$", "' is not a whole number");
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !e.getCommandLine().getSubcommands().isEmpty() && !unmatched.getUnmatched().isEmpty()
                    && !unmatched.getUnmatched().getFirst().startsWith("-")) {
                String word = unmatched.getUnmatched().getFirst();
                // A command of an adapter that is not installed: say which folder brings it back.
                String missing = e.getCommandLine() == cli ? catalog.schema().commandNotInstalled(word) : null;
                message = missing != null ? missing : unknownCommand(word, e.getCommandLine());
            } else if (e instanceof CommandLine.UnmatchedArgumentException unmatched
                    && !unmatched.getUnmatched().isEmpty() && unmatched.getUnmatched().getFirst().startsWith("-")) {
                message = unknownOption(unmatched.getUnmatched().getFirst(), e.getCommandLine());
            }
            String help = "(see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)";
            if (LogFormatVariable.json(ConfigOptions.environment)) {
                ErrorLines.say(err, "usage error: " + message + " " + help, null);
            } else {
                err.println("usage error: " + message);
                err.println(help);
                err.flush();
            }
            return ExitCodes.USAGE;
        });
        return cli;
    }

    /** picocli's "Unmatched argument at index 0: 'stauts'" as what it is: a command that does not exist. */
    private static String unknownCommand(String word, CommandLine parent) {
        // A guess only for a near miss (a typo of one): picocli guesses for any word, and 'bogus' is no 'status'.
        List<String> commands = CommandHelp.shown(parent);
        String guess = NearMisses.didYouMean(word, commands, "");
        return "unknown command '" + word + "' of " + parent.getCommandSpec().qualifiedName() + guess
                + "; the commands are: " + String.join(", ", commands);
    }

    /**
     * picocli reports no word it does not know when help or the version is asked for: {@code status --help --bogus}
     * printed the help and exited 0, so a mistyped option beside it went unnoticed. It is the usage error it is
     * without {@code --help}, as kubectl has it (git reads {@code --help} first, but its help names no option typed).
     * Otherwise picocli has refused every unknown word before this runs.
     */
    private static void refuseUnmatched(CommandLine.ParseResult result) {
        for (CommandLine.ParseResult r = result; r != null; r = r.subcommand()) {
            if (!r.unmatched().isEmpty()) {
                throw new CommandLine.UnmatchedArgumentException(r.commandSpec().commandLine(), r.unmatched());
            }
        }
    }

    /**
     * picocli's "Unknown options: '--cofnig', 'x.yaml'" as the one option it is, with a guess as for a command. The
     * first only: picocli counts the words after it as unknown options too (here the value of the option meant).
     */
    private static String unknownOption(String word, CommandLine command) {
        String option = word.split("=", 2)[0];
        // A guess for a long option only: every one-letter option is one edit from every other.
        List<String> known = command.getCommandSpec().options().stream().flatMap(o -> List.of(o.names()).stream())
                .filter(name -> name.startsWith("--")).toList();
        String guess = option.startsWith("--") ? NearMisses.didYouMean(option, known, "") : "";
        return "unknown option '" + option + "' of " + command.getCommandSpec().qualifiedName() + guess;
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
