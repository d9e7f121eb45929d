package io.pgobserver.bootstrap.cli;

import ch.qos.logback.classic.Level;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.config.LogLevelVariable;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.bootstrap.wiring.Services;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import io.pgobserver.domain.spi.Lifecycle;
import io.pgobserver.domain.spi.StorageAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the administrative commands ({@code install}, {@code status}, {@code dlq}) share: the configuration with
 * the database, every adapter booted and its {@link Lifecycle}s started (the postgres one migrates the schema, or
 * for a command that only reads, {@link #openToRead}, checks it and changes nothing), but no pipeline, no health
 * endpoint and no metrics endpoint, so that they run beside a {@code run} process on the same host without
 * fighting over its ports.
 */
final class AdminSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSession.class);

    private final Configuration config;
    private final Boot.Booted booted;
    private final Services services;

    private AdminSession(Configuration config, Boot.Booted booted, Services services) {
        this.config = config;
        this.booted = booted;
        this.services = services;
    }

    /** Loads the configuration, boots and starts the adapters; the caller closes the session. */
    static AdminSession open(ConfigOptions options, CommandSpec spec) throws Exception {
        return open(options, spec, StorageAccess.MIGRATE);
    }

    /**
     * As {@link #open}, for a command that only reads ({@code status}, {@code dlq list}): the schema is neither
     * created nor migrated, so a role without CREATE may run it, and a newer release's command does not migrate the
     * schema under older processes still running.
     *
     * @throws Lifecycle.NotInstalled when the schema is missing or older than this release
     */
    static AdminSession openToRead(ConfigOptions options, CommandSpec spec) throws Exception {
        return open(options, spec, StorageAccess.READ_ONLY);
    }

    private static AdminSession open(ConfigOptions options, CommandSpec spec, StorageAccess access)
            throws Exception {
        quietLogs(spec);
        Configuration loaded = options.loadWithDatabase();
        loaded.warnings().forEach(LOG::warn);
        return open(options, loaded, options.runsActions(), access);
    }

    /**
     * A session that runs no action, for a look at the database before the command knows whose actions it runs
     * ({@code dlq replay} reads its letters' observers): it needs no action's secret.
     */
    static AdminSession openWithoutActions(ConfigOptions options, CommandSpec spec) throws Exception {
        quietLogs(spec);
        Configuration loaded = options.loadWithDatabase(Set.of());
        loaded.warnings().forEach(LOG::warn);
        return open(options, loaded, false, StorageAccess.MIGRATE);
    }

    /**
     * A session that runs the actions of these observers alone and needs their secrets only, after
     * {@link #openWithoutActions} (which logged the configuration's warnings).
     */
    static AdminSession openFor(ConfigOptions options, Set<String> observers) throws Exception {
        return open(options, options.loadWithDatabase(observers), true, StorageAccess.MIGRATE);
    }

    private static AdminSession open(ConfigOptions options, Configuration loaded, boolean runsActions,
                                     StorageAccess access) throws Exception {
        Configuration config = loaded.withoutEndpoints();
        Module storage = binder -> OptionalBinder.newOptionalBinder(binder, StorageAccess.class).setBinding()
                .toInstance(access);
        // A command that runs no action boots no observer whose action it could not load (an unset secret).
        Boot.Booted booted = Boot.boot(config.withLoadedObserversOnly(), options.catalog(), storage);
        Set<Lifecycle> parts = Boot.unwrap(() -> booted.injector().getInstance(
                Key.get(new TypeLiteral<Set<Lifecycle>>() { })));
        // Nor does it start what only actions use: a Kafka producer would reach for brokers an operator's host may
        // not reach, and fail on settings that only the actions need.
        Services services = new Services(runsActions ? parts : parts.stream()
                .filter(part -> part.order() < Lifecycle.ORDER_ACTIONS).collect(Collectors.toSet()));
        services.start();
        return new AdminSession(config, booted, services);
    }

    Configuration config() {
        return config;
    }

    <T> T get(Class<T> type) {
        return booted.get(type);
    }

    @Override
    public void close() {
        services.close();
    }

    /** Whether {@code --verbose} was given, on this command or any above it. */
    static boolean verbose(CommandSpec spec) {
        CommandSpec root = spec;
        while (root.parent() != null) {
            root = root.parent();
        }
        return root.userObject() instanceof PgObserverCommand command && command.verbose;
    }

    /**
     * A short command's output is its answer: start-up chatter at INFO (exporters chosen, schema up to date) is
     * held back, warnings and errors still show. {@code --verbose} or {@code PGOBSERVER_LOG_LEVEL} keep INFO.
     */
    private static void quietLogs(CommandSpec spec) {
        if (verbose(spec) || LogLevelVariable.given(ConfigOptions.environment)) {
            return;
        }
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                && root.getLevel() != null && root.getLevel().isGreaterOrEqual(Level.INFO)
                && !root.getLevel().isGreaterOrEqual(Level.WARN)) {
            root.setLevel(Level.WARN);
        }
    }
}
