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

    public Configuration load() {
        return new ConfigLoader(environment, catalog().schema()).load(config, overrides);
    }

    /**
     * Loads the configuration of a command that runs the observer: a section it cannot run without (such as
     * {@code database.url}) stops it with exit 2.
     */
    public Configuration loadWithDatabase() {
        return load().requireForRun();
    }
}
