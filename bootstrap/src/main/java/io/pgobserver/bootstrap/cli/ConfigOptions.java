package io.pgobserver.bootstrap.cli;

import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The options every command that reads configuration shares. */
public final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The configuration file (default: ./pg-observer.yaml when present).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Overrides one setting, e.g. --set tracing.exporter=zipkin. Repeatable; wins over the "
                    + "file and the environment.")
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
     * The commands that never run an action (nor check one, nor start work whose events actions run): an action's
     * secret is not theirs to need, so an unset {@code ${VAR}} in an action's settings does not stop them, and the
     * observer of that action is not booted. Every other command, an adapter's too, needs every variable: run,
     * check-config, dlq replay, replay, backfill (but for --cancel). The one place this is decided.
     */
    private static final Set<String> RUN_NO_ACTIONS = Set.of("status", "dlq list", "install", "backfill --cancel");

    /** Whether this command runs (or checks) actions, and so needs every variable its actions use. */
    boolean runsActions() {
        String name = command.qualifiedName(" ");
        name = name.substring(name.indexOf(' ') + 1);
        if (command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption("--cancel")) {
            name += " --cancel";
        }
        return !RUN_NO_ACTIONS.contains(name);
    }

    public Configuration load() {
        ConfigLoader loader = new ConfigLoader(environment, catalog().schema());
        return (runsActions() ? loader : loader.withoutActionSecrets()).load(config, overrides);
    }

    /**
     * Loads the configuration of a command that runs the observer: a section it cannot run without (such as
     * {@code database.url}) stops it with exit 2.
     */
    public Configuration loadWithDatabase() {
        return load().requireForRun();
    }
}
