package io.pgobserver.bootstrap.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code help [COMMAND...]}: the help of the command at that path, {@code help dlq list} as {@code dlq list --help}.
 * picocli's own help command reads one name and dropped the rest, so {@code help dlq list} printed the help of
 * {@code dlq}. It is also added, hidden, below each command that has commands of its own: {@code dlq help list} is
 * as natural a guess, and was a usage error; hidden, so no command's list of commands grows a {@code help} line.
 */
@Command(name = "help", helpCommand = true,
        description = "Show a command's help: help dlq list is dlq list --help.")
final class CommandHelp implements Runnable, CommandLine.IHelpCommandInitializable2 {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean helpRequested;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command, as it is run: dlq list. Without one: the help of the command "
                    + "above (pg-observer's; dlq's for dlq help).")
    List<String> path = List.of();

    private CommandLine self;
    private CommandLine.Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, CommandLine.Help.ColorScheme colorScheme, PrintWriter outWriter,
                     PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = outWriter;
    }

    @Override
    public void run() {
        CommandLine command = self.getParent();
        for (String word : path) {
            CommandLine below = command.getSubcommands().get(word);
            if (below == null && command.getSubcommands().isEmpty()) {
                throw new CommandLine.ParameterException(command, command.getCommandSpec().qualifiedName()
                        + " has no commands, so '" + word + "' is none of them: leave it out to see the help of "
                        + command.getCommandSpec().qualifiedName());
            }
            if (below == null) {
                // Told as a mistyped command is: the commands at this level, with a guess for a typo of one.
                throw new CommandLine.UnmatchedArgumentException(command, List.of(word));
            }
            command = below;
        }
        command.usage(out, colors);
        out.flush();
    }

    /** Adds a hidden {@code help} below every command under {@code root} that has commands of its own. */
    static void addBelow(CommandLine root) {
        for (CommandLine command : root.getSubcommands().values()) {
            if (!command.getSubcommands().isEmpty() && !command.getSubcommands().containsKey("help")) {
                addBelow(command);
                CommandLine help = new CommandLine(new CommandHelp());
                help.getCommandSpec().usageMessage().hidden(true);
                command.addSubcommand("help", help);
            }
        }
    }

    /** The commands a user is offered at this level: the hidden {@code help} below a command left out. */
    static List<String> shown(CommandLine command) {
        return command.getSubcommands().entrySet().stream()
                .filter(entry -> !entry.getValue().getCommandSpec().usageMessage().hidden())
                .map(Map.Entry::getKey).toList();
    }
}
