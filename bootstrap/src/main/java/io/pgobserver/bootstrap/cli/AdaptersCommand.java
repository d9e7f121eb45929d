package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Host;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Lists the installed adapters: name, version, where from, and what each provides. */
@Command(name = "adapters", mixinStandardHelpOptions = true,
        description = "List the installed adapters with their versions, where each was found, and what each provides "
                + "(capabilities, configuration sections, action types, commands).")
final class AdaptersCommand implements Callable<Integer> {

    @ParentCommand
    PgObserverCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        AdapterCatalog catalog = root.catalog();
        PrintWriter out = spec.commandLine().getOut();
        Host host = new Host(catalog);
        for (AdapterCatalog.Installed installed : catalog.installed()) {
            Adapter adapter = installed.adapter();
            out.printf("%s %s%n", adapter.name(), installed.version());
            out.printf("  from:     %s%n", installed.location());
            out.printf("  provides: %s%n", String.join(", ", adapter.provides().stream()
                    .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', ' ')).sorted().toList()));
            List<String> sections = adapter.sections().stream().map(ConfigSection::key).toList();
            if (!sections.isEmpty()) {
                out.printf("  sections: %s%n", String.join(", ", sections));
            }
            List<String> types = adapter.actionTypes().stream().map(t -> t.name()).toList();
            if (!types.isEmpty()) {
                out.printf("  actions:  %s%n", String.join(", ", types));
            }
            List<String> commands = new ArrayList<>();
            for (Object command : adapter.commands(host)) {
                commands.add(new CommandLine(command).getCommandName());
            }
            if (!commands.isEmpty()) {
                out.printf("  commands: %s%n", String.join(", ", commands));
            }
        }
        out.printf("%d adapter(s)%n", catalog.installed().size());
        out.flush();
        return ExitCodes.OK;
    }
}
