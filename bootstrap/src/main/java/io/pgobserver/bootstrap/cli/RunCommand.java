package io.pgobserver.bootstrap.cli;

import io.pgobserver.application.CaptureWatch;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.application.Sleeper;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.ConfigLoader;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.bootstrap.wiring.Boot;
import io.pgobserver.bootstrap.wiring.HealthServer;
import io.pgobserver.bootstrap.wiring.Services;
import io.pgobserver.bootstrap.wiring.WaitingStart;
import io.pgobserver.domain.config.Durations;
import io.pgobserver.domain.port.CheckpointWords;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.Lifecycle;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs the observer until SIGTERM or SIGINT, then stops cleanly. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the observer until SIGTERM/SIGINT, then stop cleanly: finish in-flight events, save the "
                + "checkpoint, flush spans, exit 0.")
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    /**
     * Below it a stop would cut every request in flight for nothing gained: SIGKILL stops at once and loses nothing
     * either. As the actions' timeouts, 100ms at least.
     */
    static final Duration MIN_SHUTDOWN_TIMEOUT = Duration.ofMillis(100);
    /** Above it a supervisor's kill comes first: say so at the start rather than let the stop be cut short. */
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofHours(1);

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long a stop waits for the events running to finish, 100ms to 1h (default: "
                    + "${DEFAULT-VALUE}).")
    String shutdownTimeout;

    @Override
    public Integer call() throws Exception {
        Duration timeout;
        try {
            // Before the configuration: a flag is read before the file, so its mistake is the one told first.
            timeout = Durations.within("--shutdown-timeout", Durations.parse("--shutdown-timeout", shutdownTimeout),
                    MIN_SHUTDOWN_TIMEOUT, MAX_SHUTDOWN_TIMEOUT, "e.g. 30s; kill -9 stops at once and loses nothing");
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        Configuration config = options.loadWithDatabase();
        requireObserversOrAFile(config);
        config.warnings().forEach(w -> LOG.warn(w));
        Boot.Booted booted = Boot.boot(config, options.catalog());
        LOG.info("tracing adapter: {}; {} observer(s)", booted.tracingAdapter(), booted.observers().size());
        Services services = new Services(Boot.unwrap(() -> booted.injector().getInstance(
                Key.get(new TypeLiteral<Set<Lifecycle>>() { }))));
        EventPipeline pipeline = booted.get(EventPipeline.class);
        WaitingStart starting = new WaitingStart();
        // Up before the services, which may wait for the database: a probe then tells a process that waits (live,
        // not ready) from one that is gone.
        HealthServer health = HealthServer.start(config.adminPort(), starting.status(pipeline));
        // Served once the database answers, but checked now: a setting that makes one unusable stops the start.
        Set<AdminRoute> routes = Boot.unwrap(() -> booted.injector().getInstance(
                Key.get(new TypeLiteral<Set<AdminRoute>>() { })));
        try {
            health.check(routes);
        } catch (RuntimeException e) {
            health.close();
            throw e;
        }
        CaptureWatch captureWatch = booted.get(CaptureWatch.class);
        Stopper stopper = new Stopper(pipeline, timeout, health, services, starting, captureWatch);
        CountDownLatch finished = new CountDownLatch(1);
        // Other ways the JVM may end (System.exit elsewhere, a signal not handled below, -Xrs): stop cleanly too.
        Thread hook = new Thread(() -> {
            stopper.stopPipeline();
            try {
                finished.await(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopper.closeServices();
        }, "pgobserver-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // Before the start, so that a stop while it waits for the database ends the wait and exits 0.
        handleSignals(stopper);
        try {
            if (starting.start(services)) {
                captureWatch.start(config.listener().captureCheckInterval(), Sleeper.SYSTEM);
                health.add(routes);
                health.pages().forEach(page -> LOG.info("admin page: {}", page));
                if (stopper.pipelineMayRun()) {
                    pipeline.run();
                }
            }
        } finally {
            // A stop by signal is still draining in its own thread: wait for it, then close in order.
            stopper.stopPipeline();
            stopper.closeServices();
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting (a signal not handled here): the hook finds everything closed.
        }
        return ExitCodes.OK;
    }

    /**
     * A run started where no configuration is (another folder than the one of pg-observer.yaml, no {@code --config})
     * would take the consumer and pass every change captured with nothing delivered, moving the checkpoint past
     * changes the real configuration's observers wanted. A file that lists no observer was written so on purpose.
     */
    private void requireObserversOrAFile(Configuration config) {
        if (config.observers().isEmpty() && options.config == null && !Files.exists(ConfigLoader.DEFAULT_FILE)) {
            throw new ConfigException("run has no observer: no --config was given and there is no "
                    + ConfigLoader.DEFAULT_FILE + " in " + Path.of("").toAbsolutePath() + ", so every change "
                    + "captured would be passed with nothing delivered; give the file with --config FILE, or run "
                    + "from its folder");
        }
    }

    /**
     * Handles SIGTERM and SIGINT without the JVM's default (exit 143/130 through the shutdown hooks): the pipeline
     * stops cleanly and {@code run} returns, so a signalled stop exits 0. Where the JVM refuses (run with
     * {@code -Xrs}, or a signal unknown on this platform) the shutdown hook does the same, and the exit code is
     * the JVM's (143 for SIGTERM).
     */
    private static void handleSignals(Stopper stopper) {
        for (String name : new String[]{"TERM", "INT"}) {
            boolean handled = Signals.handle(name, () -> {
                if (stopper.requested.compareAndSet(false, true)) {
                    LOG.info("SIG{} received: stopping", name);
                    Thread.ofPlatform().name("pgobserver-stop").start(() -> {
                        stopper.stopPipeline();
                        stopper.exitIfStuck();
                    });
                } else {
                    LOG.warn("SIG{} received while stopping; still finishing the running events (SIGKILL ends "
                            + "the process at once, and unfinished events run again after a restart)", name);
                }
            });
            if (!handled) {
                LOG.debug("cannot handle SIG{} here; the shutdown hook stops the observer instead", name);
            }
        }
    }

    /**
     * Stops the pipeline once and closes the services once, whoever asks first; later callers wait for it. A stop
     * before the pipeline runs ends the start's wait for the database, and the pipeline never runs.
     */
    private static final class Stopper {
        /** How long a stuck stop's exit waits for the spans to be sent. */
        private static final Duration LAST_SPANS = Duration.ofSeconds(3);
        private final EventPipeline pipeline;
        private final Duration timeout;
        private final HealthServer health;
        private final Services services;
        private final WaitingStart starting;
        private final CaptureWatch captureWatch;
        final AtomicBoolean requested = new AtomicBoolean();
        private boolean running;
        private Thread runner;
        private volatile boolean stuck;
        private boolean pipelineStopped;
        private boolean closed;

        Stopper(EventPipeline pipeline, Duration timeout, HealthServer health, Services services,
                WaitingStart starting, CaptureWatch captureWatch) {
            this.pipeline = pipeline;
            this.timeout = timeout;
            this.health = health;
            this.services = services;
            this.starting = starting;
            this.captureWatch = captureWatch;
        }

        /** Whether the pipeline may run: no stop came first. */
        synchronized boolean pipelineMayRun() {
            running = !pipelineStopped;
            runner = Thread.currentThread();
            return running;
        }

        void stopPipeline() {
            starting.cancel();
            synchronized (this) {
                if (!pipelineStopped) {
                    pipelineStopped = true;
                    if (running) {
                        LOG.info("stopping: finishing the events running now (up to {}); queued events and retries "
                        + "are left to the consumer's next holder", Durations.format(timeout));
                        stuck = !pipeline.stop(timeout);
                    }
                }
            }
        }

        /**
         * Ends the process when the pipeline did not stop in its time: it waits in a call that gets no answer and
         * cannot be interrupted (PostgreSQL frozen, or cut off without a reset: a socket read with no timeout), and
         * would otherwise keep the process up until the operating system gives up on the connection, hours later.
         * Nothing is lost: what it did not save, the consumer's next holder runs again.
         */
        void exitIfStuck() {
            if (!stuck) {
                return;
            }
            var saved = pipeline.savedCheckpoint();
            LOG.error("the stop did not end within {} (--shutdown-timeout and {}): the pipeline still waits in {}; "
                    + "exiting with code {} without saving more. The consumer's next holder runs again what came "
                    + "after its saved checkpoint, skipping actions recorded as delivered; {}",
                    Durations.format(timeout.plus(EventPipeline.STOP_MARGIN)),
                    Durations.format(EventPipeline.STOP_MARGIN), waitingIn(runner), ExitCodes.FAILURE,
                    saved == null ? "this process saved no checkpoint"
                            : "checkpoint saved: " + CheckpointWords.of(saved));
            flushSpans();
            Runtime.getRuntime().halt(ExitCodes.FAILURE); // the shutdown hook would wait for the pipeline again
        }

        /**
         * Sends the spans recorded so far (the stop's among them) before the halt drops them, on a thread of its own
         * and for {@link #LAST_SPANS} at most: an exporter stuck on its backend must not hold the exit too.
         */
        private void flushSpans() {
            Thread flush = Thread.ofPlatform().daemon().name("pgobserver-last-spans").start(services::stopTelemetry);
            try {
                if (!flush.join(LAST_SPANS)) {
                    LOG.warn("tracing: spans not sent within {} s are dropped with the exit", LAST_SPANS.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // halting all the same
            }
        }

        /** Where {@code thread} waits: its innermost frame, and the innermost of this program's own. */
        private static String waitingIn(Thread thread) {
            StackTraceElement[] stack = thread == null ? new StackTraceElement[0] : thread.getStackTrace();
            if (stack.length == 0) {
                return "an unknown call";
            }
            String top = stack[0].getClassName() + "." + stack[0].getMethodName();
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().startsWith("io.pgobserver.")) {
                    return top + " (called from " + frame.getClassName() + "." + frame.getMethodName() + ")";
                }
            }
            return top;
        }

        synchronized void closeServices() {
            if (!closed) {
                closed = true;
                captureWatch.close();
                health.close();
                services.close();
                if (running || requested.get()) {
                    LOG.info("stopped"); // not after a start that failed: its error is the last word
                }
            }
        }
    }
}
