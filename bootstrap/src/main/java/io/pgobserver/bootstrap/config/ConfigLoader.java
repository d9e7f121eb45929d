package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.event.TableName;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgobserver.domain.config.ListenerSettings;
import io.pgobserver.domain.config.MetricsSettings;
import io.pgobserver.domain.config.TracingSettings;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.spi.ConfigSection;
import io.pgobserver.domain.trace.Tracer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads the configuration: the YAML file with {@code ${VAR}} replaced from the environment, then the environment
 * variables, then {@code --set key=value} flags, over the defaults; every key checked, every error naming its key.
 * The core reads its own keys ({@link ConfigSchema#CORE_KEYS}, and each action's {@code type}); every other
 * top-level section, and the rest of each action, is read by the installed adapter that declared it.
 */
public final class ConfigLoader {

    /** The file read when no {@code --config} is given; its absence is fine. */
    public static final Path DEFAULT_FILE = Path.of("pg-observer.yaml");

    /** The keys of {@code tracing:} the core reads; the tracing adapter's section reads the rest. */
    private static final List<String> CORE_TRACING_KEYS = List.of("enabled", "components", "entities", "kinds");

    private final Map<String, String> env;
    private final ConfigSchema schema;
    /** The observers whose actions' variables are needed: null for every observer's ({@link Variables}). */
    private final Set<String> running;

    public ConfigLoader(Map<String, String> env, ConfigSchema schema) {
        this(env, schema, null);
    }

    private ConfigLoader(Map<String, String> env, ConfigSchema schema, Set<String> running) {
        this.env = Map.copyOf(env);
        this.schema = schema;
        this.running = running == null ? null : Set.copyOf(running);
    }

    /**
     * This loader for a command that never runs an action ({@code status}, {@code dlq list}): a {@code ${VAR}}
     * inside an action's settings, or a section only actions read ({@link ActionSections}), that is not set does
     * not stop it. That action (or every action of the section's adapter) is left unread, and its observer is not
     * booted ({@link Configuration#unloadedActions()}); an unset variable anywhere else is an error as ever.
     */
    public ConfigLoader withoutActionSecrets() {
        return withActionSecretsOf(Set.of());
    }

    /**
     * This loader for a command that runs the actions of these observers alone ({@code replay --observer NAME},
     * {@code dlq replay}): as {@link #withoutActionSecrets()}, but an unset variable that their actions use, in
     * their settings or in a section their action types read ({@code email.smtp.password} for an email action),
     * stops it, as for {@code run}.
     */
    public ConfigLoader withActionSecretsOf(Set<String> observers) {
        return new ConfigLoader(env, schema, observers);
    }

    /** With the adapters on the class path: the all-in-one jar's set, and what tests use. */
    public ConfigLoader(Map<String, String> env) {
        this(env, ConfigSchema.classPath());
    }

    /**
     * @param file      the file, or null for {@link #DEFAULT_FILE} when present
     * @param overrides {@code key.path=value} flags, applied last
     */
    public Configuration load(Path file, List<String> overrides) {
        LogLevelVariable.check(env);
        LogFormatVariable.check(env);
        return load(readFile(file), overrides);
    }

    private Configuration load(ObjectNode root, List<String> overrides) {
        Variables variables = new Variables(env, running);
        variables.substitute(schema, root);
        List<String> warnings = new ArrayList<>();
        // Every variable and flag that cannot be applied is named together, before the keys are read: a key they
        // meant to set would otherwise be reported with the file's value.
        ConfigProblems problems = new ConfigProblems();
        applyEnvironment(root, warnings, problems);
        overrides.forEach(flag -> problems.check(() -> Trees.setFlag(root, flag)));
        problems.throwIfAny();
        return bind(new Node("", root, env, warnings), warnings, variables.leaveUnread(schema, root));
    }

    /** Loads YAML text with this loader's environment and no flags: for tests and examples. */
    public Configuration loadYaml(String yaml) {
        return loadYaml(yaml, List.of());
    }

    /** Loads YAML text, then this loader's environment, then {@code key=value} flags: for commands outside the core. */
    public Configuration loadYaml(String yaml, List<String> overrides) {
        LogLevelVariable.check(env);
        LogFormatVariable.check(env);
        return load(YamlDocuments.parse(yaml, "inline configuration"), overrides);
    }

    /** The core's variables, then each installed section's own ({@code DATABASE_URL} for {@code database.url}). */
    private void applyEnvironment(ObjectNode root, List<String> warnings, ConfigProblems problems) {
        new EnvironmentOverrides(env).applyTo(root);
        for (ConfigSchema.Owned<ConfigSection<?>> owned : schema.sections()) {
            // A variable the section cannot read (JAEGER_ENDPOINT that is no URL) is named in its message.
            problems.check(() -> owned.part().fromEnvironment(env, warnings::add)
                    .forEach((key, value) -> Trees.set(root, owned.part().key() + "." + key, value)));
        }
    }

    private ObjectNode readFile(Path file) {
        Path path = file == null ? DEFAULT_FILE : file;
        if (!Files.exists(path)) {
            if (file != null) {
                throw new ConfigException("configuration file " + file + " does not exist (check --config)");
            }
            return YamlDocuments.empty();
        }
        try {
            return YamlDocuments.parse(Files.readString(path), path.toString());
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads every part of the configuration, each on its own ({@link ConfigProblems}), and stops with all the errors
     * found together.
     */
    private Configuration bind(Node root, List<String> warnings, Set<String> unloaded) {
        ConfigProblems problems = new ConfigProblems();
        Node listenerNode = root.child("listener");
        ListenerSettings listener = problems.read(() -> ListenerKeys.read(listenerNode, problems));
        Boolean deduplicate = problems.read(() -> listenerNode.bool("deduplicate", true));
        if (listener != null && deduplicate != null) {
            problems.check(listenerNode::finish);
        }
        Node tracingNode = root.child("tracing");
        TracingSettings tracing = problems.read(() -> tracing(tracingNode));
        // The core reads metrics.enabled; where metrics are served is the extending adapter's.
        Node metricsNode = root.child("metrics");
        Boolean metricsEnabled = problems.read(() -> metricsNode.bool("enabled",
                MetricsSettings.defaults().enabled()));
        Integer adminPort = problems.read(() -> {
            Node admin = root.child("admin");
            int port = admin.integer("port", 8081, -1, 65535);
            admin.finish();
            return port;
        });
        List<Configuration.AdapterSettings> sections = new ArrayList<>();
        Set<String> extensionsFailed = new LinkedHashSet<>();
        for (ConfigSchema.Owned<ConfigSection<?>> owned : schema.sections()) {
            ConfigSection<?> part = owned.part();
            // An extension reads the rest of the core's mapping; the core finishes it below.
            Node section = !part.extendsCore() ? root.child(part.key())
                    : part.key().equals("metrics") ? metricsNode : tracingNode;
            boolean read = problems.check(() -> {
                sections.add(new Configuration.AdapterSettings(part, owned.adapter(), part.read(section)));
                if (!part.extendsCore()) {
                    section.finish();
                }
            });
            if (!read && part.extendsCore()) {
                extensionsFailed.add(part.key());
            }
        }
        if (tracing != null && !extensionsFailed.contains("tracing")) {
            problems.check(() -> finishTracing(tracingNode, tracing));
        }
        MetricsSettings metrics = metricsEnabled == null || extensionsFailed.contains("metrics") ? null
                : problems.read(() -> finishMetrics(metricsNode, metricsEnabled, sections));
        List<Configuration.ObserverDefinition> observers = new ArrayList<>();
        problems.check(() -> root.children("observers").forEach((name, node) -> {
            Configuration.ObserverDefinition observer = problems.read(
                    () -> ObserverDefinitions.read(schema, name, node, unloaded, problems));
            if (observer != null) {
                observers.add(observer);
            }
        }));
        int before = problems.count();
        for (String key : root.keys()) {
            if (!ConfigSchema.CORE_KEYS.contains(key) && schema.sections().stream()
                    .noneMatch(s -> s.part().key().equals(key))) {
                problems.check(() -> {
                    throw new ConfigException(schema.unknownSection(key));
                });
            }
        }
        if (problems.count() == before) {
            problems.check(root::finish);
        }
        problems.throwIfAny();
        return new Configuration(listener, deduplicate, tracing, metrics, adminPort, sections, observers,
                warnings, List.copyOf(unloaded));
    }

    /**
     * Rejects what nobody read of {@code tracing:}. Without an adapter extending it, the rest of its keys, or a
     * variable choosing an exporter while tracing is on, are errors naming the adapter that would read them.
     */
    private void finishTracing(Node node, TracingSettings tracing) {
        if (schema.extended("tracing")) {
            node.finish();
            return;
        }
        Set<String> unread = node.unread();
        if (!unread.isEmpty()) {
            throw new ConfigException(schema.unreadWithoutExtension("tracing", unread, CORE_TRACING_KEYS));
        }
        String exporter = tracing.enabled() ? schema.exporterWithoutExtension(env) : null;
        if (exporter != null) {
            throw new ConfigException(exporter);
        }
    }

    /** The core's keys of {@code tracing:}: whether it is on, and which spans the use cases create. */
    private static TracingSettings tracing(Node node) {
        boolean enabled = node.bool("enabled", TracingSettings.defaults().enabled());
        Node componentsNode = node.child("components");
        Set<Tracer.Component> components = EnumSet.noneOf(Tracer.Component.class);
        for (Tracer.Component c : Tracer.Component.values()) {
            if (componentsNode.bool(c.name().toLowerCase(Locale.ROOT), true)) {
                components.add(c);
            }
        }
        componentsNode.finish();
        Set<String> entities = new LinkedHashSet<>();
        for (String entity : node.strings("entities")) {
            entities.add(TableName.qualify(entity));
        }
        Set<ChangeKind> kinds = EnumSet.noneOf(ChangeKind.class);
        for (String kind : node.strings("kinds")) {
            kinds.add(ObserverDefinitions.kind(node.key("kinds"), kind));
        }
        return new TracingSettings(enabled, components, entities, kinds);
    }

    /**
     * The metrics settings: the extending adapter's when one is installed, else the core's {@code enabled} alone,
     * which may then only be false; other keys without the adapter are errors naming it.
     */
    private MetricsSettings finishMetrics(Node node, boolean enabled, List<Configuration.AdapterSettings> sections) {
        if (schema.extended("metrics")) {
            node.finish();
            return sections.stream().map(Configuration.AdapterSettings::value)
                    .filter(MetricsSettings.class::isInstance).map(MetricsSettings.class::cast).findFirst()
                    .orElseThrow();
        }
        Set<String> unread = node.unread();
        if (!unread.isEmpty()) {
            throw new ConfigException(schema.unreadWithoutExtension("metrics", unread, List.of("enabled")));
        }
        if (enabled) {
            throw new ConfigException(schema.enabledWithoutExtension("metrics"));
        }
        node.finish();
        return MetricsSettings.defaults();
    }
}
