package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * What the installed adapters read: their top-level sections and their action types, each with the adapter that
 * owns it. Two adapters claiming one key is a boot error. For a key or type nobody installed claims, the
 * adapters this project ships are named, so "unknown key database" says to install {@code adapters-postgres}.
 */
public final class ConfigSchema {

    /** The core's own top-level keys: nothing else may claim them. */
    static final List<String> CORE_KEYS = List.of("listener", "tracing", "metrics", "admin", "observers");

    /** Keys and action types of the adapters this project ships, for the hint when one is not installed. */
    private static final Map<String, String> SHIPPED_SECTIONS = Map.of(
            "database", "adapters-postgres", "actions", "adapters-actions", "email", "adapters-email");
    private static final Map<String, String> SHIPPED_ACTION_TYPES = Map.of(
            "webhook", "adapters-actions", "slack", "adapters-actions", "email", "adapters-email");

    private final Map<String, Owned<ConfigSection<?>>> sections = new LinkedHashMap<>();
    private final Map<String, Owned<ActionType<?>>> actionTypes = new LinkedHashMap<>();

    /** A section or action type and the adapter that declared it. */
    record Owned<T>(T part, String adapter) {
    }

    private ConfigSchema(List<? extends Adapter> adapters) {
        for (Adapter adapter : adapters) {
            for (ConfigSection<?> section : adapter.sections()) {
                if (CORE_KEYS.contains(section.key())) {
                    throw new IllegalStateException("adapter " + adapter.name() + " declares the section '"
                            + section.key() + "', which the core reads");
                }
                Owned<ConfigSection<?>> before = sections.putIfAbsent(section.key(), new Owned<>(section, adapter.name()));
                if (before != null) {
                    throw new ConfigException("adapters " + before.adapter() + " and " + adapter.name()
                            + " both read the section '" + section.key() + "': remove one of their folders");
                }
            }
            for (ActionType<?> type : adapter.actionTypes()) {
                Owned<ActionType<?>> before = actionTypes.putIfAbsent(type.name(), new Owned<>(type, adapter.name()));
                if (before != null) {
                    throw new ConfigException("adapters " + before.adapter() + " and " + adapter.name()
                            + " both provide the action type '" + type.name() + "': remove one of their folders");
                }
            }
        }
    }

    public static ConfigSchema of(List<? extends Adapter> adapters) {
        return new ConfigSchema(adapters);
    }

    /** The adapters {@link ServiceLoader} finds on the class path: the all-in-one jar, and tests. */
    public static ConfigSchema classPath() {
        List<Adapter> found = new ArrayList<>();
        ServiceLoader.load(Adapter.class).forEach(found::add);
        return of(found);
    }

    List<Owned<ConfigSection<?>>> sections() {
        return List.copyOf(sections.values());
    }

    Owned<ActionType<?>> actionType(String name) {
        return actionTypes.get(name);
    }

    /** The message for a top-level key no installed adapter reads. */
    String unknownSection(String key) {
        String shipped = SHIPPED_SECTIONS.get(key);
        if (shipped != null) {
            return key + " is read by the adapter " + shipped + ", which is not installed: add its folder to "
                    + "adapters/ (or remove the section)";
        }
        TreeSet<String> known = new TreeSet<>(CORE_KEYS);
        known.addAll(sections.keySet());
        return "unknown configuration key " + key + "; known keys here: " + known;
    }

    /** The message for an action type no installed adapter provides. */
    String unknownActionType(String key, String type) {
        String shipped = SHIPPED_ACTION_TYPES.get(type);
        String installed = actionTypes.isEmpty() ? "none is installed" : "installed: "
                + String.join(", ", new TreeSet<>(actionTypes.keySet()));
        if (shipped != null) {
            return key + " '" + type + "' is provided by the adapter " + shipped + ", which is not installed: add "
                    + "its folder to adapters/ (" + installed + ")";
        }
        return key + " '" + type + "' is not an action type (" + installed + ")";
    }

    /** Every environment variable the installed sections read. */
    public List<String> variables() {
        List<String> out = new ArrayList<>();
        sections.values().forEach(s -> out.addAll(s.part().environment().keySet()));
        return out;
    }
}
