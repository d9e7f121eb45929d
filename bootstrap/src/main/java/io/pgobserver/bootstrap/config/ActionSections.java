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
 * provides action types), for a command that runs no action. A variable such a section uses that is not set leaves
 * the section unread, as if absent, and every action of that adapter's types unloaded, so that no observer of them
 * is booted: the SMTP password or a Kafka SASL secret is then no more needed by {@code status} than a Slack token.
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

    /** The section at the start of {@code path} when only actions read it, else null. */
    static String of(ConfigSchema schema, String path) {
        int dot = path.indexOf('.');
        String key = dot < 0 ? path : path.substring(0, dot);
        return schema.sections().stream().anyMatch(owned -> owned.part().key().equals(key)
                && !owned.part().extendsCore() && schema.providesActions(owned.adapter())) ? key : null;
    }

    /**
     * Removes the {@code sections} from the tree, and adds the path of each action whose type comes from the
     * adapter of one of them to {@code unloaded}.
     */
    static void leaveUnread(ConfigSchema schema, ObjectNode root, Set<String> sections, Set<String> unloaded) {
        Set<String> adapters = schema.sections().stream().filter(owned -> sections.contains(owned.part().key()))
                .map(ConfigSchema.Owned::adapter).collect(Collectors.toSet());
        sections.forEach(root::remove);
        for (Map.Entry<String, JsonNode> observer : root.path("observers").properties()) {
            JsonNode actions = observer.getValue().path("actions");
            for (int i = 0; i < actions.size(); i++) {
                var type = schema.actionType(actions.get(i).path("type").asText(""));
                if (type != null && adapters.contains(type.adapter())) {
                    unloaded.add("observers." + observer.getKey() + ".actions[" + i + "]");
                }
            }
        }
    }
}
