package io.pgobserver.domain.config;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.trace.Tracer;

import java.util.EnumSet;
import java.util.Set;

/**
 * The core's half of the {@code tracing:} section: whether tracing is on and which spans the use cases create.
 * Where spans go (exporter, endpoint, sampling, batching, headers) is the tracing adapter's half of the same
 * section, read by that adapter; the core never sees it.
 *
 * @param enabled    false installs the no-op tracer
 * @param components the components whose spans are recorded
 * @param entities   only events of these entities are traced; empty means all
 * @param kinds      only events of these kinds are traced; empty means all
 */
public record TracingSettings(boolean enabled, Set<Tracer.Component> components, Set<String> entities,
                              Set<ChangeKind> kinds) {

    public TracingSettings {
        components = components == null ? EnumSet.allOf(Tracer.Component.class) : Set.copyOf(components);
        entities = entities == null ? Set.of() : Set.copyOf(entities);
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
    }

    /** Defaults: off (tracing is opt-in), every component, every entity and kind. */
    public static TracingSettings defaults() {
        return new TracingSettings(false, null, null, null);
    }

    public boolean traces(String entityType, ChangeKind kind) {
        return (entities.isEmpty() || entities.contains(entityType)) && (kinds.isEmpty() || kinds.contains(kind));
    }
}
