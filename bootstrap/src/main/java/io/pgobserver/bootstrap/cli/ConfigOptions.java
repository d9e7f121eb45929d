package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.domain.event.ShellWord;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** The options every command that reads configuration shares. */
public final class ConfigOptions {

    // A file name, key or example each on a line of its own (%n): picocli would end a line after any of its dots,
    // and a user copying it from the terminal would get half of it (UsageHelpTest renders every command's help).
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The configuration file.%n  Default: ./pg-observer.yaml when present.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Overrides one setting; repeatable; wins over the file and the environment. An item of a "
                    + "list the file has is KEY[N], from 0. For example:"
                    + "%n  --set tracing.exporter=zipkin"
                    + "%n  --set observers.NAME.actions[0].url=URL")
    List<String> overrides = new ArrayList<>();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The environment the commands read; tests replace it. */
    static Map<String, String> environment = System.getenv();

    /** The installed adapters, from the root command. */
    public AdapterCatalog catalog() {
        CommandSpec root = command;
        while (root.parent() != null) {
            root = root.parent();
        }
        return root.userObject() instanceof PgObserverCommand pgObserver ? pgObserver.catalog()
                : AdapterCatalog.discover();
    }

    /**
     * The commands that never run an action (nor check one): an action's secret is not theirs to need, so an unset
     * {@code ${VAR}} in an action's settings, or in a section only actions read (email.smtp.password), does not
     * stop them, the observer of that action is not booted, and nothing only actions use is started (AdminSession).
     * {@code backfill} logs read events that {@code run} delivers with its own secrets. Every other command, an
     * adapter's too, needs every variable: run, check-config; but replay needs those of its --observer alone
     * ({@link #REPLAY}), and dlq replay those of the observers whose letters it replays, which it reads first
     * ({@link #loadWithDatabase(Set)}). The one place this is decided.
     */
    private static final Set<String> RUN_NO_ACTIONS = Set.of("status", "dlq list", "install", "backfill");

    /** The command that runs the actions of its {@code --observer} alone, and so needs only that observer's. */
    private static final String REPLAY = "replay";

    /** This command's name under the root, as "dlq list". */
    private String commandName() {
        String name = command.qualifiedName(" ");
        return name.substring(name.indexOf(' ') + 1);
    }

    /** Whether this command runs (or checks) actions, and so needs the variables its actions use. */
    boolean runsActions() {
        return !RUN_NO_ACTIONS.contains(commandName());
    }

    /**
     * The options as given ({@code --config FILE}, each {@code --set}), shell-quoted where needed, for a command this
     * one prints for the user to run next (a resume): it must read the same configuration. A secret's value is not
     * repeated ({@link PrintedOverride}).
     */
    String given() {
        return given(ShellWord::of);
    }

    /** {@link #given()} for a command the advice puts in single quotes ({@link ShellWord#inQuotes}). */
    String givenInQuotes() {
        return given(ShellWord::inQuotes);
    }

    private String given(UnaryOperator<String> word) {
        StringBuilder given = new StringBuilder();
        if (config != null) {
            given.append(" --config ").append(word.apply(config.toString()));
        }
        overrides.forEach(o -> given.append(" --set ").append(word.apply(PrintedOverride.of(o))));
        return given.toString();
    }

    public Configuration load() {
        ConfigLoader loader = new ConfigLoader(environment, catalog().schema());
        if (!runsActions()) {
            loader = loader.withoutActionSecrets();
        } else if (commandName().equals(REPLAY) && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption("--observer")) {
            loader = loader.withActionSecretsOf(Set.of(command.commandLine().getParseResult().matchedOptionValue(
                    "--observer", "")));
        }
        return loader.load(config, overrides);
    }

    /**
     * Loads the configuration of a command that runs the actions of these observers alone, and so needs the
     * variables of theirs only ({@code dlq replay}, once it read whose letters it replays; none to read them).
     */
    Configuration loadWithDatabase(Set<String> observers) {
        return new ConfigLoader(environment, catalog().schema()).withActionSecretsOf(observers)
                .load(config, overrides).requireForRun();
    }

    /**
     * Loads the configuration of a command that runs the observer: a section it cannot run without (such as
     * {@code database.url}) stops it with exit 2.
     */
    public Configuration loadWithDatabase() {
        return load().requireForRun();
    }
}
