package io.pgobserver.bootstrap.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${VAR}} substitution of one load, and which unset variables it lets pass: those of the actions a
 * command does not run. {@code run} runs every observer's actions, so every unset variable stops it; {@code status}
 * runs none; {@code replay --observer NAME} and {@code dlq replay} run those of some observers alone. An action
 * whose variable is unset is then left unread, and so is a section only actions read ({@link ActionSections})
 * unless one of those observers has an action of its adapter, which stops the load naming the variable.
 */
final class Variables {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> env;
    /** The observers whose actions run: null for every observer. */
    private final Set<String> running;
    private final Set<String> unloaded = new LinkedHashSet<>();
    /** Each section left unread, with the message for its first unset variable. */
    private final Map<String, String> unreadSections = new LinkedHashMap<>();

    /**
     * @param running the observers whose actions the command runs, and so whose variables it needs; null for every
     *                observer's, and every variable
     */
    Variables(Map<String, String> env, Set<String> running) {
        this.env = env;
        this.running = running;
    }

    /**
     * Replaces the variables throughout {@code root}, noting what an unset one leaves unread.
     *
     * @throws ConfigException naming every unset variable that stops the load, not only the first: a new deployment
     *                         often lacks several secrets at once
     */
    void substitute(ConfigSchema schema, ObjectNode root) {
        List<ConfigException> unset = new ArrayList<>();
        Trees.rewriteStrings(root, "", (path, value) -> substitute(schema, path, value, unset));
        if (!unset.isEmpty()) {
            throw ConfigException.of(unset);
        }
    }

    /**
     * Leaves the sections noted unread, once the environment and the flags are applied; the paths of the actions
     * left unread ({@link Configuration#unloadedActions()}).
     */
    Set<String> leaveUnread(ConfigSchema schema, ObjectNode root) {
        ActionSections.leaveUnread(schema, root, unreadSections, unloaded, running);
        return unloaded;
    }

    /** {@code value} with its variables replaced, or as it is when an unset one leaves it unread. */
    private String substitute(ConfigSchema schema, String path, String value, List<ConfigException> unset) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = env.getOrDefault(m.group(1), m.group(2));
            if (replacement == null) {
                String message = path + " uses ${" + m.group(1) + "}, which is not set: export " + m.group(1)
                        + " or write ${" + m.group(1) + ":-default}";
                String action = ActionSections.action(path);
                String section = running == null ? null : ActionSections.of(schema, path);
                if (running != null && action != null && !running.contains(ActionSections.observer(action))) {
                    unloaded.add(action);
                } else if (section != null) {
                    unreadSections.putIfAbsent(section, message);
                } else {
                    unset.add(new ConfigException(message));
                }
                return value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
