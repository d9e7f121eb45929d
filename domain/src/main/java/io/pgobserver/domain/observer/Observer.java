package io.pgobserver.domain.observer;

import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.event.ChangeKind;

import java.util.EnumSet;
import java.util.List;
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
 * @param retry      how each action is retried
 */
public record Observer(String name, String entity, Set<ChangeKind> on, String expression, Condition condition,
                       List<ActionSpec> actions, RetryPolicy retry) {

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
        retry = retry == null ? RetryPolicy.DEFAULT : retry;
    }

    /** Whether this observer is a candidate for the event (its condition still to be evaluated). */
    public boolean watches(ChangeEvent event) {
        return on.contains(event.kind()) && entity.equals(event.entityType());
    }
}
