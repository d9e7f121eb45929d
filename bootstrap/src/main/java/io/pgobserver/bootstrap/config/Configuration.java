package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.Observer;
import io.pgobserver.domain.observer.Ordering;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The effective configuration: file, then environment, then flags, over defaults. The core's own settings are
 * fields; each adapter's section is an {@link AdapterSettings} read by the section its adapter declared.
 *
 * @param deduplicate whether deliveries are recorded so a redelivered event skips actions already done
 * @param adminPort   the health endpoint's port; 0 picks a free one, -1 turns it off
 * @param tracing     the core's half of {@code tracing:}; where spans go is the tracing adapter's section
 * @param adapterSettings the adapters' sections, in the order the adapters were found
 * @param warnings    things that work but deserve a look (a retired variable mapped to its successor)
 * @param unloadedActions the paths of the actions left unread because a variable they use is not set
 *                    ({@code observers.slack.actions[0]}); only a command that runs no action loads so
 *                    ({@link ConfigLoader#withoutActionSecrets()}), else this is empty
 */
public record Configuration(
        ListenerSettings listener,
        boolean deduplicate,
        TracingSettings tracing,
        MetricsSettings metrics,
        int adminPort,
        List<AdapterSettings> adapterSettings,
        List<ObserverDefinition> observers,
        List<String> warnings,
        List<String> unloadedActions) {

    public Configuration {
        adapterSettings = List.copyOf(adapterSettings);
        observers = List.copyOf(observers);
        warnings = List.copyOf(warnings);
        unloadedActions = List.copyOf(unloadedActions);
    }

    /** A configuration with every action loaded. */
    public Configuration(ListenerSettings listener, boolean deduplicate, TracingSettings tracing,
                         MetricsSettings metrics, int adminPort, List<AdapterSettings> adapterSettings,
                         List<ObserverDefinition> observers, List<String> warnings) {
        this(listener, deduplicate, tracing, metrics, adminPort, adapterSettings, observers, warnings, List.of());
    }

    /**
     * One adapter's section as read.
     *
     * @param value the settings, or null when the section is not configured (nothing is bound)
     */
    public record AdapterSettings(ConfigSection<?> section, String adapter, Object value) {
        public AdapterSettings {
            Objects.requireNonNull(section, "section");
            if (value != null && !section.type().isInstance(value)) {
                throw new IllegalStateException("section " + section.key() + " of " + adapter + " read a "
                        + value.getClass().getName() + ", not a " + section.type().getName());
            }
        }

        /** The settings as {@code check-config} prints them (secrets still as {@code Secret}s: masked on print). */
        public Map<String, Object> render() {
            return value == null ? Map.of() : renderAs(section);
        }

        /** For a section that extends the core's: whether its settings leave the core's feature working. */
        boolean active() {
            return value == null || activeAs(section);
        }

        @SuppressWarnings("unchecked")
        private <T> boolean activeAs(ConfigSection<T> typed) {
            return typed.active((T) value);
        }

        @SuppressWarnings("unchecked")
        private <T> Map<String, Object> renderAs(ConfigSection<T> typed) {
            return typed.render((T) value);
        }
    }

    /** An observer as configured, its condition not yet compiled. */
    public record ObserverDefinition(String name, String entity, Set<ChangeKind> on, String condition,
                                     List<ConfiguredAction> actions, RetryPolicy retry, Ordering ordering) {
        public ObserverDefinition {
            on = Set.copyOf(on);
            actions = List.copyOf(actions);
            ordering = ordering == null ? Ordering.ENTITY : ordering;
        }

        public ObserverDefinition(String name, String entity, Set<ChangeKind> on, String condition,
                                  List<ConfiguredAction> actions, RetryPolicy retry) {
            this(name, entity, on, condition, actions, retry, Ordering.ENTITY);
        }

        /** Each action's stable key, in the actions' order. */
        public List<String> actionKeys() {
            return actions.stream().map(ConfiguredAction::key).toList();
        }

        /** The actions' specs, in order. */
        public List<ActionSpec> specs() {
            return actions.stream().map(ConfiguredAction::spec).toList();
        }

        /** The observer with its condition compiled ({@code compiled}), its actions not yet validated. */
        public Observer observer(Condition compiled) {
            return new Observer(name, entity, on, condition, compiled, specs(), actionKeys(), retry, ordering);
        }
    }

    /**
     * One action of an observer.
     *
     * @param type     the registered type that read it
     * @param adapter  the adapter that registered the type, named in errors about the action
     * @param spec     what its adapter runs
     * @param settings the action's mapping rendered canonically (keys sorted), its secrets left out: the input of a
     *                 stable action key
     * @param key      the action's stable key: its {@code id:}, else a hash of {@code settings}. Delivery records and
     *                 {@code webhook-id} use it, so inserting or reordering actions, or rotating a secret, never makes
     *                 one pass for another
     */
    public record ConfiguredAction(ActionType<?> type, String adapter, ActionSpec spec, String settings, String key) {
        public ConfiguredAction {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(adapter, "adapter");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(settings, "settings");
        }

        /** The action as {@code check-config} prints it, {@code type} first. */
        public Map<String, Object> render() {
            return renderAs(type);
        }

        @SuppressWarnings("unchecked")
        private <T extends ActionSpec> Map<String, Object> renderAs(ActionType<T> typed) {
            return typed.render((T) spec);
        }
    }

    /** The settings an adapter's section read, by the section's key; null when absent or not configured. */
    public Object section(String key) {
        for (AdapterSettings s : adapterSettings) {
            if (s.section().key().equals(key)) {
                return s.value();
            }
        }
        return null;
    }

    /**
     * Whether spans are produced at all: tracing enabled, and no section extending {@code tracing:} turns it off
     * (the OpenTelemetry adapter's {@code exporter: none}).
     */
    public boolean tracingActive() {
        return tracing.enabled() && adapterSettings.stream()
                .filter(s -> s.section().extendsCore() && s.section().key().equals("tracing"))
                .allMatch(AdapterSettings::active);
    }

    /** For the short admin commands: no metrics endpoint, no health port. */
    public Configuration withoutEndpoints() {
        MetricsSettings off = new MetricsSettings(false, metrics.port(), metrics.exporter(), metrics.host());
        // The metrics section's own copy too, which its adapter injects.
        List<AdapterSettings> sections = adapterSettings.stream().map(s -> s.value() instanceof MetricsSettings
                ? new AdapterSettings(s.section(), s.adapter(), off) : s).toList();
        return new Configuration(listener, deduplicate, tracing, off, -1, sections, observers, warnings,
                unloadedActions);
    }

    /**
     * What to boot: without the observers an action of which was left unread ({@link #unloadedActions()}), so that
     * nothing checks or runs an action it does not have. The same configuration when every action was loaded.
     */
    public Configuration withLoadedObserversOnly() {
        if (unloadedActions.isEmpty()) {
            return this;
        }
        List<ObserverDefinition> loaded = observers.stream().filter(o -> unloadedActions.stream()
                .noneMatch(path -> path.startsWith("observers." + o.name() + ".actions["))).toList();
        return new Configuration(listener, deduplicate, tracing, metrics, adminPort, adapterSettings, loaded,
                warnings, unloadedActions);
    }

    /** Stops with the section's own message when a section that running needs is not configured. */
    public Configuration requireForRun() {
        for (AdapterSettings s : adapterSettings) {
            if (s.value() == null && s.section().missing() != null) {
                throw new ConfigException(s.section().missing());
            }
        }
        return this;
    }
}
