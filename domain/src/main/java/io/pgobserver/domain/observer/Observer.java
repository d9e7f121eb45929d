package io.pgobserver.domain.observer;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named rule: on these kinds of change to this entity, when the condition holds, run these actions.
 *
 * @param name       the key under {@code observers:}; used in spans, dead letters and webhook bodies
 * @param entity     the table, as {@code schema.table}
 * @param on         the change kinds that concern it
 * @param expression the condition source, kept for display; blank means always
 * @param condition  the compiled condition
 * @param actions    what to run, in order
 * @param actionKeys each action's stable key, in the same order: its {@code id:}, else a hash of its settings but
 *                   its secrets. Delivery records and {@code webhook-id} use it, so inserting or reordering actions,
 *                   or rotating a secret, does not make one action pass for another
 * @param retry      how each action is retried
 * @param ordering   whether one entity's events must run in commit order
 */
public record Observer(String name, String entity, Set<ChangeKind> on, String expression, Condition condition,
                       List<ActionSpec> actions, List<String> actionKeys, RetryPolicy retry, Ordering ordering) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    public Observer {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("observer name '" + name
                    + "' must be 1-100 letters, digits, '_', '-' or '.'");
        }
        if (entity == null || entity.isBlank()) {
            throw new IllegalArgumentException("observer '" + name + "' needs an entity (schema.table)");
        }
        on = on == null || on.isEmpty() ? EnumSet.allOf(ChangeKind.class) : Set.copyOf(on);
        expression = expression == null ? "" : expression;
        Objects.requireNonNull(condition, "condition");
        actions = List.copyOf(actions);
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("observer '" + name + "' needs at least one action");
        }
        actionKeys = List.copyOf(actionKeys);
        if (actionKeys.size() != actions.size()) {
            throw new IllegalArgumentException("observer '" + name + "' has " + actions.size() + " actions but "
                    + actionKeys.size() + " action keys");
        }
        if (new HashSet<>(actionKeys).size() != actionKeys.size()) {
            throw new IllegalArgumentException("observer '" + name + "' has two actions with the same key "
                    + actionKeys + ": give each a distinct id:");
        }
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
        ordering = ordering == null ? Ordering.ENTITY : ordering;
    }

    /** An observer that keeps each entity's events in commit order. */
    public Observer(String name, String entity, Set<ChangeKind> on, String expression, Condition condition,
                    List<ActionSpec> actions, List<String> actionKeys, RetryPolicy retry) {
        this(name, entity, on, expression, condition, actions, actionKeys, retry, Ordering.ENTITY);
    }

    /**
     * An observer built by hand rather than from configuration: its actions are keyed by type and position,
     * which is stable as long as the list does not change.
     */
    public Observer(String name, String entity, Set<ChangeKind> on, String expression, Condition condition,
                    List<ActionSpec> actions, RetryPolicy retry) {
        this(name, entity, on, expression, condition, actions, positionalKeys(actions), retry);
    }

    private static List<String> positionalKeys(List<ActionSpec> actions) {
        List<String> keys = new ArrayList<>(actions.size());
        for (int i = 0; i < actions.size(); i++) {
            keys.add(actions.get(i).type() + "-" + i);
        }
        return keys;
    }

    /**
     * The columns of its entity's rows that the observer names, by where it names them: {@code condition}, and
     * {@code actions[0] (webhook)} for each action that names some. Only the parts that name one are listed.
     */
    public Map<String, Set<String>> columnsNamed() {
        Map<String, Set<String>> named = new LinkedHashMap<>();
        Set<String> inCondition = condition.columns();
        if (!inCondition.isEmpty()) {
            named.put("condition", inCondition);
        }
        for (int i = 0; i < actions.size(); i++) {
            Set<String> columns = actions.get(i).columns();
            if (!columns.isEmpty()) {
                named.put("actions[" + i + "] (" + actions.get(i).type() + ")", columns);
            }
        }
        return named;
    }

    /**
     * Whether this observer is a candidate for the event (its condition still to be evaluated). A backfill started
     * for one observer is skipped by the others.
     */
    public boolean watches(ChangeEvent event) {
        return on.contains(event.kind()) && entity.equals(event.entityType())
                && (event.backfill() == null || event.backfill().isFor(name));
    }
}
