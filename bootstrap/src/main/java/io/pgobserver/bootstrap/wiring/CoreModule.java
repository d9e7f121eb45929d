package io.pgobserver.bootstrap.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.pgobserver.application.ActionExecutors;
import io.pgobserver.application.CaptureWatch;
import io.pgobserver.application.EventPipeline;
import io.pgobserver.application.ProcessEvent;
import io.pgobserver.application.ReplayDeadLetters;
import io.pgobserver.application.ReplayHistory;
import io.pgobserver.application.Sleeper;
import io.pgobserver.bootstrap.config.ConfigException;
import io.pgobserver.bootstrap.config.Configuration;
import io.pgobserver.domain.observer.ConditionCompiler;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.CaptureInstaller;
import io.pgobserver.domain.port.ChangeHistory;
import io.pgobserver.domain.port.ChangeSource;
import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.DeadLetters;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.EventOutcomes;
import io.pgobserver.domain.spi.AdminRoute;
import io.pgobserver.domain.spi.CaptureStatus;
import io.pgobserver.domain.spi.DeadLetterReplay;
import io.pgobserver.domain.spi.PipelineStatus;
import io.pgobserver.domain.spi.StorageAccess;
import io.pgobserver.domain.port.ParkedEvents;
import io.pgobserver.domain.port.Leadership;
import io.pgobserver.domain.port.Metrics;
import io.pgobserver.domain.trace.Tracer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The bootstrap's own bindings: the settings ({@link SettingsModule}), the compiled observers, and the use cases.
 * Adapters bind the ports; this module only assembles. No I/O here: services start after the injector exists.
 */
public final class CoreModule extends AbstractModule {

    private final Configuration config;

    public CoreModule(Configuration config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(Configuration.class).toInstance(config);
        install(new SettingsModule(config));
        bind(Clock.class).toInstance(Clock.systemUTC());
        bind(Sleeper.class).toInstance(Sleeper.SYSTEM);
        Multibinder.newSetBinder(binder(), ActionExecutor.class);
        // Optional extensions: adapters add to them, and none is fine.
        Multibinder.newSetBinder(binder(), EventOutcomes.class);
        Multibinder.newSetBinder(binder(), AdminRoute.class);
        bind(PipelineStatus.class).to(EventPipeline.class);
        bind(DeadLetterReplay.class).to(ReplayDeadLetters.class);
        bind(CaptureStatus.class).to(CaptureWatch.class);
        // Every command migrates the storage unless it says it only reads (the admin session's read-only boot).
        OptionalBinder.newOptionalBinder(binder(), StorageAccess.class).setDefault().toInstance(StorageAccess.MIGRATE);
    }

    @Provides
    @Singleton
    ActionExecutors actionExecutors(Set<ActionExecutor> executors) {
        return new ActionExecutors(executors);
    }

    /**
     * Conditions compiled and actions checked once, at boot: a bad one stops the boot naming the observer, with the
     * bad ones of every other observer.
     */
    @Provides
    @Singleton
    List<Observer> observers(ConditionCompiler compiler, ActionExecutors executors) {
        List<Observer> observers = new ArrayList<>();
        List<ConfigException> problems = new ArrayList<>();
        for (Configuration.ObserverDefinition d : config.observers()) {
            Observer observer;
            try {
                observer = d.observer(compiler.compile(d.name(), d.condition()));
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigException(observerError(d.name(), e.getMessage()), e));
                continue;
            }
            try {
                executors.validate(List.of(observer));
                observers.add(observer);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigException(e.getMessage() + " (" + adapters(d) + ")", e));
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
        }
        return List.copyOf(observers);
    }

    /**
     * The compiler's message about an observer as one key, named once: it says "observer 'o': condition does not
     * compile: ...", which becomes "observers.o.condition does not compile: ...".
     */
    static String observerError(String observer, String message) {
        String own = "observer '" + observer + "': ";
        String rest = message != null && message.startsWith(own) ? message.substring(own.length()) : message;
        return rest != null && rest.startsWith("condition ") ? "observers." + observer + "." + rest
                : "observers." + observer + ": " + rest;
    }

    /** Which adapters an observer's actions come from, for an error about one of them. */
    private static String adapters(Configuration.ObserverDefinition observer) {
        return observer.actions().stream().map(a -> a.type().name() + " actions come from " + a.adapter())
                .distinct().collect(java.util.stream.Collectors.joining("; "));
    }

    @Provides
    @Singleton
    ProcessEvent processEvent(Tracer tracer, List<Observer> observers, ActionExecutors executors,
                              DeadLetters deadLetters, Deliveries deliveries, Metrics metrics,
                              Set<EventOutcomes> outcomes, Sleeper sleeper, Clock clock) {
        return new ProcessEvent(config.listener().consumer(), tracer, Tracer.noop(), config.tracing(), observers, executors,
                deadLetters, config.deduplicate() ? deliveries : null, metrics, EventOutcomes.of(outcomes), sleeper,
                null, clock);
    }

    @Provides
    @Singleton
    EventPipeline eventPipeline(ChangeSource source, CheckpointStore checkpoints, ParkedEvents parked,
                                Leadership leadership, ProcessEvent processEvent, Metrics metrics, Sleeper sleeper) {
        return new EventPipeline(source, checkpoints, parked, leadership, processEvent, metrics, config.listener(),
                sleeper);
    }

    /**
     * One per process: {@code run} starts it, and the console shows its latest check. Where nothing starts it (the
     * demo's and the bench's host), it has none, and the console checks for itself.
     */
    @Provides
    @Singleton
    CaptureWatch captureWatch(CaptureInstaller capture, Metrics metrics, List<Observer> observers) {
        return new CaptureWatch(capture, observers, metrics);
    }

    @Provides
    @Singleton
    ReplayHistory replayHistory(ChangeHistory history, ProcessEvent processEvent) {
        return new ReplayHistory(history, processEvent);
    }

    @Provides
    @Singleton
    ReplayDeadLetters replayDeadLetters(DeadLetters deadLetters, Deliveries deliveries, Tracer tracer,
                                        List<Observer> observers, ActionExecutors executors, Metrics metrics,
                                        Sleeper sleeper) {
        return new ReplayDeadLetters(config.listener().consumer(), deadLetters, tracer, observers, executors, metrics,
                sleeper, null, config.deduplicate() ? deliveries : null);
    }
}
