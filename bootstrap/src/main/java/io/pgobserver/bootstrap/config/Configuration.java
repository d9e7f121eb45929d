package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.config.ActionsSettings;
import io.pgobserver.domain.config.DatabaseSettings;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.RetryPolicy;

import java.util.List;
import java.util.Set;

/**
 * The effective configuration: file, then environment, then flags, over defaults (DESIGN.md §3).
 *
 * @param database    the database, or null when none is configured (only {@code demo} runs without one)
 * @param deduplicate whether deliveries are recorded so a redelivered event skips actions already done
 * @param adminPort   the health endpoint's port; 0 picks a free one, -1 turns it off
 * @param exporterChosen whether the file, environment or flags named {@code tracing.exporter}, or an
 *                       {@code OTEL_*} variable named where spans go (rather than the default): a chosen exporter
 *                       whose module is absent is a boot error; the default quietly falls back to no tracing
 * @param warnings    things that work but deserve a look (a retired variable mapped to its successor)
 */
public record Configuration(
        DatabaseSettings database,
        ListenerSettings listener,
        boolean deduplicate,
        TracingSettings tracing,
        MetricsSettings metrics,
        int adminPort,
        ActionsSettings actions,
        List<ObserverDefinition> observers,
        boolean exporterChosen,
        List<String> warnings) {

    public Configuration {
        observers = List.copyOf(observers);
        warnings = List.copyOf(warnings);
    }

    /**
     * An observer as configured, its condition not yet compiled.
     *
     * @param actionKeys each action's stable key, in the actions' order: its {@code id:}, else a hash of its settings
     */
    public record ObserverDefinition(String name, String entity, Set<ChangeKind> on, String condition,
                                     List<ActionSpec> actions, List<String> actionKeys, RetryPolicy retry) {
        public ObserverDefinition {
            on = Set.copyOf(on);
            actions = List.copyOf(actions);
            actionKeys = List.copyOf(actionKeys);
        }
    }

    public Configuration withDatabase(DatabaseSettings newDatabase) {
        return new Configuration(newDatabase, listener, deduplicate, tracing, metrics, adminPort, actions, observers,
                exporterChosen, warnings);
    }

    public Configuration withTracing(TracingSettings newTracing) {
        return new Configuration(database, listener, deduplicate, newTracing, metrics, adminPort, actions, observers,
                exporterChosen, warnings);
    }

    public Configuration withObservers(List<ObserverDefinition> newObservers) {
        return new Configuration(database, listener, deduplicate, tracing, metrics, adminPort, actions, newObservers,
                exporterChosen, warnings);
    }
}
