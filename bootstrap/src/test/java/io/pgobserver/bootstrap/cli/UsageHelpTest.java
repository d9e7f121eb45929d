package io.pgobserver.bootstrap.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command's {@code --help}, the adapters' commands included, at picocli's default width of 80 columns: no
 * line ends inside a configuration key, a path or a URL ({@link HelpLines}), which a user copying it from the
 * terminal would get half of.
 */
class UsageHelpTest {

    @Test
    void no_line_of_any_commands_help_ends_inside_a_configuration_key_a_path_or_a_url() throws IOException {
        CommandLine root = PgObserverCommand.commandLine();
        List<CommandLine> commands = HelpLines.everyCommand(root);
        assertThat(commands.stream().map(c -> c.getCommandSpec().qualifiedName()))
                .contains("pg-observer run", "pg-observer dlq list", "pg-observer demo", "pg-observer backfill");
        assertThat(commands).allSatisfy(c -> assertThat(c.getUsageHelpWidth()).as("the default width").isEqualTo(80));
        assertThat(HelpLines.cut(root)).as("help lines that end inside a key, path or URL").isEmpty();
    }
}
