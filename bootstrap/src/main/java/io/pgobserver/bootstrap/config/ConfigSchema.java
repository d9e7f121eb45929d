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
            "database", "adapters-postgres", "actions", "adapters-actions", "email", "adapters-email",
            "kafka", "adapters-kafka");
    private static final Map<String, String> SHIPPED_ACTION_TYPES = Map.of(
            "webhook", "adapters-actions", "slack", "adapters-actions", "email", "adapters-email",
            "kafka", "adapters-kafka");
    /** The core sections an adapter may extend, each with the adapter this project ships to extend it. */
    private static final Map<String, String> SHIPPED_EXTENSIONS = Map.of("tracing", "adapters-tracing-otel");
    /**
     * Variables of the shipped tracing extension that say where spans go: with tracing on and that adapter not
     * installed, they are a boot error naming it rather than silently unread.
     */
    private static final List<String> SHIPPED_EXPORTER_VARIABLES = List.of("TRACING_EXPORTER", "ZIPKIN_ENDPOINT",
            "JAEGER_ENDPOINT", "JAEGER_AGENT_HOST", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

    private final Map<String, Owned<ConfigSection<?>>> sections = new LinkedHashMap<>();
    private final Map<String, Owned<ActionType<?>>> actionTypes = new LinkedHashMap<>();

    /** A section or action type and the adapter that declared it. */
    record Owned<T>(T part, String adapter) {
    }

    private ConfigSchema(List<? extends Adapter> adapters) {
        for (Adapter adapter : adapters) {
            for (ConfigSection<?> section : adapter.sections()) {
                if (section.extendsCore() && !SHIPPED_EXTENSIONS.containsKey(section.key())) {
                    throw new IllegalStateException("adapter " + adapter.name() + " extends the section '"
                            + section.key() + "', which the core does not share (it shares "
                            + SHIPPED_EXTENSIONS.keySet() + ")");
                }
                if (CORE_KEYS.contains(section.key()) && !section.extendsCore()) {
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

    /** Whether an installed adapter extends the core section {@code key}. */
    boolean extended(String key) {
        Owned<ConfigSection<?>> owned = sections.get(key);
        return owned != null && owned.part().extendsCore();
    }

    /**
     * The message for keys of a core section that the core does not read, when no installed adapter extends it:
     * they are the extending adapter's, or typos.
     */
    static String unreadWithoutExtension(String section, java.util.Collection<String> unread, List<String> coreKeys) {
        return String.join(", ", unread.stream().map(k -> section + "." + k).toList()) + ": the core reads only "
                + section + "." + coreKeys + "; the other " + section + " keys are read by the adapter "
                + SHIPPED_EXTENSIONS.get(section) + ", which is not installed: add its folder to adapters/ (or "
                + "remove those keys)";
    }

    /**
     * The message when tracing is on, no adapter extends {@code tracing}, and a variable of the shipped one says
     * where spans go; null when none does.
     */
    static String exporterWithoutExtension(Map<String, String> env) {
        for (String variable : SHIPPED_EXPORTER_VARIABLES) {
            String value = env.get(variable);
            if (value != null && !value.isBlank() && !value.trim().equalsIgnoreCase("none")) {
                return variable + " says where spans go, which the adapter " + SHIPPED_EXTENSIONS.get("tracing")
                        + " does, and it is not installed: add its folder to adapters/, or unset " + variable
                        + " (or set tracing.enabled: false)";
            }
        }
        return null;
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
