package io.pgobserver.adapters.conditions.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.CelErrorCode;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.pgobserver.domain.event.ChangeEvent;
import io.pgobserver.domain.observer.Condition;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One observer's compiled condition. The program is built once and shared by every thread.
 *
 * <p>A field the row does not have makes the condition false rather than failing the event: rows change shape
 * (a column added later, a {@code before} that is empty on insert), and {@code after.missing == 'x'} then
 * simply does not match. Guard with {@code has(after.x)} to tell the cases apart. Any other failure (a type
 * mismatch, division by zero) is a {@link ConditionException} saying what failed, at which part of the expression;
 * the caller names the observer and the event (once: the dead letter's error reads as one sentence).
 */
final class CelCondition implements Condition {

    private static final Pattern OFFSET = Pattern.compile("evaluation error at <input>:(\\d+): ");

    private final String observer;
    private final String expression;
    private final CelAbstractSyntaxTree ast;
    private final CelRuntime.Program program;

    CelCondition(String observer, String expression, CelAbstractSyntaxTree ast, CelRuntime.Program program) {
        this.observer = observer;
        this.expression = expression;
        this.ast = ast;
        this.program = program;
    }

    /**
     * The fields of {@code after} and {@code before} the expression selects: {@code after.status},
     * {@code has(before.status)} and {@code after["status"]} alike.
     */
    @Override
    public Set<String> columns() {
        Set<String> columns = new TreeSet<>();
        CelNavigableAst.fromAst(ast).getRoot().allNodes().map(CelNavigableExpr::expr).forEach(e -> {
            if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && isRowImage(e.select().operand())) {
                columns.add(e.select().field());
            } else if (e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals("_[_]")
                    && e.call().args().size() == 2 && isRowImage(e.call().args().get(0))
                    && e.call().args().get(1).getKind() == CelExpr.ExprKind.Kind.CONSTANT
                    && e.call().args().get(1).constant().getKind() == CelConstant.Kind.STRING_VALUE) {
                columns.add(e.call().args().get(1).constant().stringValue());
            }
        });
        return columns;
    }

    private static boolean isRowImage(CelExpr expr) {
        return expr.getKind() == CelExpr.ExprKind.Kind.IDENT && (expr.ident().name().equals(CelActivation.AFTER)
                || expr.ident().name().equals(CelActivation.BEFORE));
    }

    @Override
    public boolean matches(ChangeEvent event) throws ConditionException {
        Map<String, Object> variables = CelActivation.of(event);
        Object result;
        try {
            result = program.eval(variables);
        } catch (CelEvaluationException e) {
            if (e.getErrorCode() == CelErrorCode.ATTRIBUTE_NOT_FOUND) {
                return false;
            }
            throw new ConditionException(cause(e, variables), e);
        }
        if (result instanceof Boolean matched) {
            return matched;
        }
        if (result == null || result instanceof NullValue) {
            throw new ConditionException("it gave null, not true or false"
                    + FailedPart.explainNull(ast, variables), null);
        }
        throw new ConditionException("it gave a " + result.getClass().getSimpleName() + ", not true or false", null);
    }

    /**
     * CEL's message, with the offset it gives ({@code evaluation error at <input>:10:}) shown as the part of the
     * expression it points at, and what a missing overload means on row values: CEL names only its internal
     * function ({@code '_>_'}), not the value that did not fit, such as a SQL NULL compared with a number: the
     * columns at that part are named with what they held ({@link FailedPart}).
     */
    private String cause(CelEvaluationException e, Map<String, Object> variables) {
        String message = FailedPart.withoutRowValues(String.valueOf(e.getMessage()), variables);
        boolean mismatch = e.getErrorCode() == CelErrorCode.OVERLOAD_NOT_FOUND;
        String columns = "";
        Matcher at = OFFSET.matcher(message);
        if (at.lookingAt()) {
            // CEL counts code points, not UTF-16 units.
            int codePoint = Integer.parseInt(at.group(1));
            String part = codePoint < expression.codePointCount(0, expression.length())
                    ? expression.substring(callStart(expression.offsetByCodePoints(0, codePoint))).strip() : "";
            part = part.length() > 30 ? part.substring(0, 30) + "…" : part;
            message = (part.isEmpty() ? "" : "at '" + part + "': ") + message.substring(at.end());
            columns = FailedPart.explain(ast, codePoint, mismatch, variables);
        }
        if (!columns.isEmpty()) {
            message += columns;
        } else if (mismatch) {
            message += " (a value there has another type than the operator or function takes: a null column, or "
                    + "text where a number or a timestamp is expected; guard with after.x != null, or convert with "
                    + "int(), double(), string(), timestamp())";
        }
        return message;
    }

    /** A call's offset is its parenthesis: the part shown starts at the function's name ({@code size(}). */
    private int callStart(int at) {
        int start = at;
        if (at < expression.length() && expression.charAt(at) == '(') {
            while (start > 0 && (Character.isLetterOrDigit(expression.charAt(start - 1))
                    || expression.charAt(start - 1) == '_' || expression.charAt(start - 1) == '.')) {
                start--;
            }
        }
        return start;
    }

    @Override
    public String toString() {
        return "CEL condition of observer '" + observer + "': " + expression;
    }
}
