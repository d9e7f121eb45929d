package io.pgobserver.bootstrap.config;

import io.pgobserver.domain.event.TableName;
import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.domain.observer.Ordering;
import io.pgobserver.domain.observer.RetryPolicy;
import io.pgobserver.domain.spi.ActionType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One entry of {@code observers:}: the table, the kinds, the condition, the actions with their stable keys, the retry
 * policy and the ordering. The core reads each action's {@code type}; the adapter that registered the type reads
 * the rest.
 */
final class ObserverDefinitions {

    private ObserverDefinitions() {
    }

    /**
     * The observer {@code name} defined by {@code node}, its actions read by the adapters that own their types, but
     * for those in {@code unloaded}: the paths of actions a command that runs none leaves unread (a variable they
     * use is not set). Each setting, each action and each key of {@code retry} is read on its own, its error noted
     * in {@code problems} and the rest read on, so that every error of the observer is named at once; null when
     * there was one.
     */
    static Configuration.ObserverDefinition read(ConfigSchema schema, String name, Node node, Set<String> unloaded,
                                                 ConfigProblems problems) {
        int before = problems.count();
        String entity = problems.read(() -> TableName.qualify(node.requiredString("entity",
                "the table to watch, as schema.table")));
        Set<ChangeKind> on = problems.read(() -> kinds(node));
        String condition = problems.read(() -> node.string("condition", ""));
        List<Configuration.ConfiguredAction> actions = new ArrayList<>();
        List<String> actionKeys = new ArrayList<>();
        List<Node> listed = problems.read(() -> node.list("actions"));
        for (Node action : listed == null ? List.<Node>of() : listed) {
            if (unloaded.contains(action.path())) {
                continue;
            }
            Configuration.ConfiguredAction read = problems.read(() -> action(schema, action, actionKeys));
            if (read != null) {
                actionKeys.add(read.key());
                actions.add(read);
            }
        }
        if (listed != null && listed.isEmpty()) {
            problems.check(() -> {
                throw new ConfigException(node.key("actions") + " must list at least one action (such as "
                        + "{ type: webhook, url: ... })" + node.misspelling("actions"));
            });
        }
        RetryPolicy retry = retry(node, problems);
        Ordering ordering = problems.read(() -> ordering(node));
        if (problems.count() != before) {
            return null;
        }
        node.finish();
        return new Configuration.ObserverDefinition(name, entity, on, condition, actions, retry, ordering);
    }

    /** {@code on:}, every kind when it lists none. */
    private static Set<ChangeKind> kinds(Node node) {
        Set<ChangeKind> on = EnumSet.noneOf(ChangeKind.class);
        for (String kind : node.strings("on")) {
            on.add(kind(node.key("on"), kind));
        }
        return on.isEmpty() ? EnumSet.allOf(ChangeKind.class) : on;
    }

    /**
     * {@code retry:}, each of its keys read on its own so that two bad ones are named together; null when one is
     * bad, which is noted.
     */
    private static RetryPolicy retry(Node node, ConfigProblems problems) {
        int before = problems.count();
        Node retryNode = node.child("retry");
        RetryPolicy d = RetryPolicy.DEFAULT;
        Duration initialBackoff = problems.read(() -> retryNode.duration("initial_backoff", d.initialBackoff(),
                RetryPolicy.MIN_BACKOFF, RetryPolicy.MAX_INITIAL_BACKOFF, "e.g. 1s"));
        Duration maxBackoff = problems.read(() -> retryNode.duration("max_backoff", d.maxBackoff(),
                RetryPolicy.MIN_BACKOFF, RetryPolicy.MAX_BACKOFF, "e.g. 1m"));
        Integer maxAttempts = problems.read(() -> retryNode.integer("max_attempts", d.maxAttempts(), 1, 1000));
        Double multiplier = problems.read(() -> retryNode.decimal("multiplier", d.multiplier()));
        if (problems.count() != before) {
            return null;
        }
        return problems.read(() -> {
            try {
                RetryPolicy policy = new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier);
                retryNode.finish();
                return policy;
            } catch (IllegalArgumentException e) {
                // The policy names its own keys from "retry" on (retry.max_backoff ...): put the observer in front.
                throw new ConfigException(node.path() + "." + e.getMessage(), e);
            }
        });
    }

    private static Ordering ordering(Node node) {
        try {
            return Ordering.fromWireName(node.string("ordering", Ordering.ENTITY.wireName()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(node.key("ordering") + ": " + e.getMessage(), e);
        }
    }

    /**
     * The core reads {@code type} and the stable key ({@link ActionKeys}: {@code earlier} holds those of the
     * actions before it); the adapter that registered the type reads the rest.
     */
    private static Configuration.ConfiguredAction action(ConfigSchema schema, Node node, List<String> earlier) {
        String type = node.requiredString("type", "the action type, such as webhook").trim().toLowerCase(Locale.ROOT);
        ConfigSchema.Owned<ActionType<?>> owned = schema.actionType(type);
        if (owned == null) {
            throw new ConfigException(schema.unknownActionType(node.key("type"), type));
        }
        String key = ActionKeys.of(node, owned.part(), earlier);
        try {
            ActionSpec spec = owned.part().read(node);
            refuseObserverSettings(node);
            node.finish();
            return new Configuration.ConfiguredAction(owned.part(), owned.adapter(), spec,
                    ActionKeys.settings(node, owned.part()), key);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(named(node, e.getMessage()) + " (" + type + " actions come from "
                    + owned.adapter() + ")" + node.misspellings(), e);
        }
    }

    /** The observer's own settings, which a line indented one level too deep puts under its action. */
    private static final Set<String> OBSERVER_KEYS = Set.of("entity", "on", "condition", "retry", "ordering");

    /**
     * An observer's setting written under one of its actions, which the action's adapter did not read: the plain
     * "unknown key; known keys here: [url, method, …]" does not say it belongs one level up.
     */
    private static void refuseObserverSettings(Node action) {
        for (String key : action.unread()) {
            if (OBSERVER_KEYS.contains(key)) {
                String observer = action.path().replaceFirst("\\.actions\\[\\d+]$", "");
                throw new ConfigException("unknown configuration key " + action.key(key) + ": " + key + " is a setting"
                        + " of the observer, not of one action: move it to " + observer + "." + key
                        + " (at the level of actions:, not under it)");
            }
        }
    }

    /**
     * The adapter's message about an action, starting with the action's path once: most adapters name the full key
     * themselves ({@code observers.o.actions[0].url is not a valid URL}), some only say what is wrong.
     */
    static String named(Node action, String message) {
        boolean named = message != null && message.startsWith(action.path())
                && message.length() > action.path().length()
                && ".: ".indexOf(message.charAt(action.path().length())) >= 0;
        return named ? message : action.path() + ": " + message;
    }

    static ChangeKind kind(String key, String value) {
        try {
            return ChangeKind.fromWireName(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": " + e.getMessage());
        }
    }
}
