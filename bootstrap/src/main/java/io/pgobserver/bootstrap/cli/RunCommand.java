package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.EventPipeline;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.AdapterCatalog;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.bootstrap.wiring.Services;
import io.pgobserver.domain.spi.Lifecycle;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the observer until SIGTERM or SIGINT, then stops cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the observer until SIGTERM/SIGINT, then stop cleanly: finish in-flight events, save the "
                + "checkpoint, flush spans.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOptions options;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long a stop waits for in-flight events (default: ${DEFAULT-VALUE}).")
    String shutdownTimeout;

    @Override
    public Integer call() throws Exception {
        Configuration config = options.load();
        if (config.database() == null) {
            throw new ConfigException("database.url is required: set it in the file or export DATABASE_URL "
                    + "(jdbc:postgresql://host:5432/db or postgres://user:pass@host:5432/db)");
        }
        Duration timeout = io.pgobserver.bootstrap.config.Durations.parse("--shutdown-timeout", shutdownTimeout);
        config.warnings().forEach(w -> LOG.warn(w));
        Boot.Booted booted = Boot.boot(config, AdapterCatalog.discover());
        LOG.info("tracing adapter: {}; {} observer(s)", booted.tracingAdapter(), booted.observers().size());
        Services services = new Services(Boot.unwrap(() -> booted.injector().getInstance(
                Key.get(new TypeLiteral<Set<Lifecycle>>() { }))));
        services.start();
        EventPipeline pipeline = booted.get(EventPipeline.class);
        HealthServer health = HealthServer.start(config.adminPort(), pipeline);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("stopping: finishing in-flight events (up to {} s)", timeout.toSeconds());
            pipeline.stop(timeout);
            try {
                stopped.await(timeout.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            health.close();
            services.close();
            LOG.info("stopped");
        }, "pgobserver-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            pipeline.run();
        } finally {
            stopped.countDown();
        }
        return ExitCodes.OK;
    }
}
