package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The sections only actions read ({@code email:}, {@code kafka:}, {@code actions:}: a section of an adapter that
 * provides action types), for a command that runs no action, or those of some observers alone. A variable such a
 * section uses that is not set leaves the section unread, as if absent, and every action of that adapter's types
 * unloaded, so that no observer of them is booted: the SMTP password or a Kafka SASL secret is then no more needed
 * by {@code status}, or by a replay of a webhook observer, than a Slack token. An observer that runs has an action
 * of those types: then the variable is needed after all, and its message stops the load.
 */
final class ActionSections {

    /** The path of one action of an observer, at the start of the path of a value inside it. */
    private static final Pattern ACTION = Pattern.compile("^observers\\.[^\\[]+\\.actions\\[\\d+]");

    private ActionSections() {
    }

    /** The action whose settings hold {@code path} ({@code observers.slack.actions[0]}), else null. */
    static String action(String path) {
        Matcher action = ACTION.matcher(path);
        return action.find() ? action.group() : null;
    }

    /** The observer of an {@link #action(String)}: {@code a.b} of {@code observers.a.b.actions[0]}. */
    static String observer(String action) {
        return action.substring("observers.".length(), action.lastIndexOf(".actions["));
    }

    /** The section at the start of {@code path} when only actions read it, else null. */
    static String of(ConfigSchema schema, String path) {
        int dot = path.indexOf('.');
        String key = dot < 0 ? path : path.substring(0, dot);
        return schema.sections().stream().anyMatch(owned -> owned.part().key().equals(key)
                && !owned.part().extendsCore() && schema.providesActions(owned.adapter())) ? key : null;
    }

    /**
     * Removes the {@code sections} from the tree, and adds the path of each action whose type comes from the
     * adapter of one of them to {@code unloaded}; such an action of a {@code running} observer stops the load with
     * its section's message instead.
     *
     * @param sections each section to leave unread, with the message for its unset variable
     * @param running  the observers whose actions run, or null for every observer
     */
    static void leaveUnread(ConfigSchema schema, ObjectNode root, Map<String, String> sections, Set<String> unloaded,
                            Set<String> running) {
        Map<String, String> byAdapter = schema.sections().stream()
                .filter(owned -> sections.containsKey(owned.part().key()))
                .collect(Collectors.toMap(ConfigSchema.Owned::adapter, owned -> sections.get(owned.part().key()),
                        (first, second) -> first));
        for (Map.Entry<String, JsonNode> observer : root.path("observers").properties()) {
            JsonNode actions = observer.getValue().path("actions");
            if (!actions.isArray()) {
                continue; // a single action written without its list: reading the observer names the mistake
            }
            for (int i = 0; i < actions.size(); i++) {
                var type = schema.actionType(actions.get(i).path("type").asText(""));
                if (type == null || !byAdapter.containsKey(type.adapter())) {
                    continue;
                }
                if (running == null || running.contains(observer.getKey())) {
                    throw new ConfigException(byAdapter.get(type.adapter()));
                }
                unloaded.add("observers." + observer.getKey() + ".actions[" + i + "]");
            }
        }
        sections.keySet().forEach(root::remove);
    }
}
