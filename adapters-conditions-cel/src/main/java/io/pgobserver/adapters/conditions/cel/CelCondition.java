package io.pgobserver.adapters.conditions.cel;

import dev.cel.common.CelErrorCode;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Condition;

/**
 * One observer's compiled condition. The program is built once and shared by every thread.
 *
 * <p>A field the row does not have makes the condition false rather than failing the event: rows change shape
 * (a column added later, a {@code before} that is empty on insert), and {@code after.missing == 'x'} then
 * simply does not match. Guard with {@code has(after.x)} to tell the cases apart. Any other failure (a type
 * mismatch, division by zero) is a {@link ConditionException} naming the observer.
 */
final class CelCondition implements Condition {

    private final String observer;
    private final String expression;
    private final CelRuntime.Program program;

    CelCondition(String observer, String expression, CelRuntime.Program program) {
        this.observer = observer;
        this.expression = expression;
        this.program = program;
    }

    @Override
    public boolean matches(ChangeEvent event) throws ConditionException {
        Object result;
        try {
            result = program.eval(CelActivation.of(event));
        } catch (CelEvaluationException e) {
            if (e.getErrorCode() == CelErrorCode.ATTRIBUTE_NOT_FOUND) {
                return false;
            }
            throw new ConditionException("observer '" + observer + "': condition failed on event " + event.id()
                    + ": " + e.getMessage(), e);
        }
        if (result instanceof Boolean matched) {
            return matched;
        }
        throw new ConditionException("observer '" + observer + "': condition gave "
                + (result == null ? "null" : "a " + result.getClass().getSimpleName())
                + " on event " + event.id() + ", not true or false", null);
    }

    @Override
    public String toString() {
        return "CEL condition of observer '" + observer + "': " + expression;
    }
}
