package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.Adapter;
import io.pgobserver.domain.spi.ConfigSection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What the installed adapters read: their top-level sections and their action types, each with the adapter that
 * owns it. Two adapters claiming one key is a boot error. For a key, type or variable nobody installed claims, the
 * adapters' manifests ({@link AdapterManifest}) name the folder that would, so "unknown key database" says to put
 * {@code adapters-postgres} back, and a third party's action type names its folder just the same.
 */
public final class ConfigSchema {

    /** The core's own top-level keys: nothing else may claim them. */
    static final List<String> CORE_KEYS = List.of("listener", "tracing", "metrics", "admin", "observers");
    /** The core sections an adapter may extend. */
    static final List<String> EXTENDABLE = List.of("tracing", "metrics");

    private final Map<String, Owned<ConfigSection<?>>> sections = new LinkedHashMap<>();
    private final Map<String, Owned<ActionType<?>>> actionTypes = new LinkedHashMap<>();
    private final List<AdapterManifest> manifests;

    /** A section or action type and the adapter that declared it. */
    record Owned<T>(T part, String adapter) {
    }

    private ConfigSchema(List<? extends Adapter> adapters, List<AdapterManifest> manifests) {
        this.manifests = List.copyOf(manifests);
        for (Adapter adapter : adapters) {
            for (ConfigSection<?> section : adapter.sections()) {
                if (section.extendsCore() && !EXTENDABLE.contains(section.key())) {
                    throw new IllegalStateException("adapter " + adapter.name() + " extends the section '"
                            + section.key() + "', which the core does not share (it shares " + EXTENDABLE + ")");
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

    /** The adapters given, with the manifests on the class path naming those that are not. */
    public static ConfigSchema of(List<? extends Adapter> adapters) {
        return new ConfigSchema(adapters, AdapterManifest.classPath());
    }

    /** The adapters given, with these manifests naming the folders of those that are not. */
    public static ConfigSchema of(List<? extends Adapter> adapters, List<AdapterManifest> manifests) {
        return new ConfigSchema(adapters, manifests);
    }

    /** The adapters {@link ServiceLoader} finds on the class path: the all-in-one jar, and tests. */
    public static ConfigSchema classPath() {
        List<Adapter> found = new ArrayList<>();
        ServiceLoader.load(Adapter.class).forEach(found::add);
        return of(found);
    }

    /** The folder whose manifest declares {@code name} in the list {@code part} picks, or null. */
    private String folderOf(Function<AdapterManifest, List<String>> part, String name) {
        return manifests.stream().filter(m -> part.apply(m).contains(name)).map(AdapterManifest::folder)
                .findFirst().orElse(null);
    }

    private static String missing(String folder) {
        return "the adapter " + folder + ", which is not installed: add its folder to adapters/";
    }

    /** The message when {@code section.enabled} is true and no installed adapter extends the section. */
    String enabledWithoutExtension(String section) {
        String folder = folderOf(AdapterManifest::extendsSections, section);
        return section + ".enabled needs " + (folder == null ? "an adapter that extends " + section
                + ", and none is installed: add one to adapters/" : missing(folder))
                + ", or set " + section + ".enabled: false";
    }

    /** The message when a condition is written and no installed adapter compiles conditions. */
    public String conditionWithoutLanguage() {
        String folder = manifests.stream().filter(m -> !m.conditionLanguages().isEmpty())
                .map(AdapterManifest::folder).findFirst().orElse(null);
        return folder == null ? "condition needs an adapter that compiles conditions, and none is installed: add one"
                + " to adapters/, or remove the condition"
                : "condition needs " + missing(folder) + ", or remove the condition";
    }

    List<Owned<ConfigSection<?>>> sections() {
        return List.copyOf(sections.values());
    }

    Owned<ActionType<?>> actionType(String name) {
        return actionTypes.get(name);
    }

    /** Whether the adapter provides action types: its sections are then read for its actions alone. */
    boolean providesActions(String adapter) {
        return actionTypes.values().stream().anyMatch(owned -> owned.adapter().equals(adapter));
    }

    /** The message for a top-level key no installed adapter reads. */
    String unknownSection(String key) {
        String folder = folderOf(AdapterManifest::sections, key);
        if (folder != null) {
            return key + " is read by " + missing(folder) + " (or remove the section)";
        }
        TreeSet<String> known = new TreeSet<>(CORE_KEYS);
        known.addAll(sections.keySet());
        String near = NearMisses.didYouMean(key, known, "");
        if (near.isEmpty()) {
            // A typo of the section of an adapter not installed: both mistakes are named, the typo first.
            String missing = NearMisses.of(key, manifests.stream().flatMap(m -> m.sections().stream()).toList());
            near = missing == null ? "" : " (did you mean " + missing + "? it is read by "
                    + missing(folderOf(AdapterManifest::sections, missing)) + ")";
        }
        return "unknown configuration key " + key + near + "; known keys here: " + known;
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
    String unreadWithoutExtension(String section, java.util.Collection<String> unread, List<String> coreKeys) {
        String folder = folderOf(AdapterManifest::extendsSections, section);
        // A typo of one of the core's own keys is that, before it is a key of a missing adapter.
        String near = unread.stream().map(k -> NearMisses.didYouMean(k, coreKeys, section + "."))
                .filter(hint -> !hint.isEmpty()).findFirst().orElse("");
        return String.join(", ", unread.stream().map(k -> section + "." + k).toList()) + near + ": the core reads only "
                + section + "." + coreKeys + "; the other " + section + " keys are read by "
                + (folder == null ? "an adapter that extends " + section + ", and none is installed: add one to "
                + "adapters/" : missing(folder)) + " (or remove those keys)";
    }

    /**
     * The message when tracing is on, no adapter extends {@code tracing}, and a variable of the shipped one says
     * where spans go; null when none does.
     */
    String exporterWithoutExtension(Map<String, String> env) {
        for (AdapterManifest manifest : manifests) {
            if (!manifest.extendsSections().contains("tracing")) {
                continue;
            }
            for (String variable : manifest.variables()) {
                String value = env.get(variable);
                if (value != null && !value.isBlank() && !value.trim().equalsIgnoreCase("none")) {
                    return variable + " says where spans go, which the adapter " + manifest.folder()
                            + " does, and it is not installed: add its folder to adapters/, or unset " + variable
                            + " (or set tracing.enabled: false)";
                }
            }
        }
        // No manifest names it (its file beside the folder was deleted too): the OpenTelemetry variables that switch
        // tracing on are the core's to know, and with nothing to export them the spans would go nowhere, silently.
        for (String variable : EnvironmentOverrides.OTEL_EXPORTER_VARIABLES) {
            String value = env.get(variable);
            if (value != null && !value.isBlank() && !value.trim().equalsIgnoreCase("none")) {
                return variable + " says where spans go, and no installed adapter exports spans: add one that "
                        + "extends tracing to adapters/ (the OpenTelemetry one is adapters-tracing-otel), or unset "
                        + variable + " (or set tracing.enabled: false)";
            }
        }
        return null;
    }

    /** The message when {@code command} is one an adapter adds and that adapter is not installed; else null. */
    public String commandNotInstalled(String command) {
        String folder = folderOf(AdapterManifest::commands, command);
        return folder == null ? null : command + " is a command of " + missing(folder)
                + ", or point --adapters-dir (or PGOBSERVER_ADAPTERS_DIR) at a folder that has it";
    }

    /**
     * The message when no installed adapter provides {@code capability}, which the core cannot boot without. It names
     * the folder whose manifest says it provides it; manifests that say nothing (the key is newer than they are)
     * leave the folders not installed as the ones to put back, so deleting one folder still names that folder.
     *
     * @param what      the capability as people know it, such as "the PostgreSQL change source"
     * @param installed the names (folders) of the installed adapters
     */
    public String capabilityNotInstalled(Adapter.Capability capability, String what, Collection<String> installed) {
        String name = capability.name().toLowerCase(Locale.ROOT);
        List<String> folders = manifests.stream().filter(m -> m.provides().contains(name))
                .map(AdapterManifest::folder).distinct().sorted().toList();
        if (folders.isEmpty()) {
            folders = manifests.stream().filter(m -> m.provides().isEmpty() && !installed.contains(m.folder()))
                    .map(AdapterManifest::folder).distinct().sorted().toList();
        }
        String elsewhere = ", or point --adapters-dir (or PGOBSERVER_ADAPTERS_DIR) at a folder that has it";
        String start = "no installed adapter provides " + what + ", which this command needs: ";
        if (folders.isEmpty()) {
            return start + "add an adapter that provides " + name + " to adapters/" + elsewhere;
        }
        if (folders.size() == 1) {
            return start + "put adapters/" + folders.getFirst() + " back" + elsewhere;
        }
        return start + "put back the one of adapters/{" + String.join(", ", folders) + "} that provides it" + elsewhere;
    }

    /** The message for an action type no installed adapter provides. */
    String unknownActionType(String key, String type) {
        String folder = folderOf(AdapterManifest::actionTypes, type);
        String installed = actionTypes.isEmpty() ? "none is installed" : "installed: "
                + String.join(", ", new TreeSet<>(actionTypes.keySet()));
        if (folder != null) {
            return key + " '" + type + "' is provided by " + missing(folder) + " (" + installed + ")";
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
