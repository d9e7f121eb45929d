package io.pgobserver.adapters.conditions.cel;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelSourceLocation;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import io.pgobserver.domain.observer.Condition;
import io.pgobserver.domain.observer.ConditionCompiler;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiles conditions with cel-java. One {@link Cel} environment serves every observer: it declares
 * {@code event}, {@code before} and {@code after} as {@code map(string, dyn)}, compares numbers across
 * int, uint and double ({@code after.total > 100} holds for 150.5, {@code after.qty == 3} for 3.0), and does
 * arithmetic across int and double ({@link MixedArithmetic}).
 */
final class CelConditionCompiler implements ConditionCompiler {

    private static final CelType ROW = MapType.create(SimpleType.STRING, SimpleType.DYN);
    /** CEL's arithmetic operators: a condition made of one gives a number. */
    private static final Set<String> ARITHMETIC = Set.of("_+_", "_-_", "_*_", "_/_", "_%_", "-_");

    private final Cel cel = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current()
                    .enableHeterogeneousNumericComparisons(true)
                    .build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addFunctionDeclarations(MixedArithmetic.declarations())
            .addFunctionBindings(MixedArithmetic.bindings())
            .addVar(CelActivation.EVENT, ROW)
            .addVar(CelActivation.BEFORE, ROW)
            .addVar(CelActivation.AFTER, ROW)
            .build();

    @Override
    public Condition compile(String observer, String expression) {
        if (expression == null || expression.isBlank()) {
            return Condition.ALWAYS;
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = cel.compile(expression).getAst();
        } catch (CelValidationException e) {
            // CEL's parser speaks of tokens; the usual slips are SQL's = and unquoted text.
            throw new IllegalArgumentException("observer '" + observer + "': condition does not compile: "
                    + issues(e) + " (CEL compares with == and quotes text: after.status == 'shipped')", e);
        }
        String gives = gives(ast);
        if (gives != null) {
            throw new IllegalArgumentException("observer '" + observer + "': condition must be true or false, but '"
                    + expression + "' gives " + gives + " (compare it, e.g. after.status == 'shipped')");
        }
        CelRuntime.Program program;
        try {
            program = cel.createProgram(ast);
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException("observer '" + observer + "': condition cannot be prepared: "
                    + e.getMessage(), e);
        }
        return new CelCondition(observer, expression, ast, program);
    }

    /**
     * What the condition gives when it is not true or false, or null when it is (or may be: a column's value alone).
     * Arithmetic on a column is typed dyn, since its overloads give an integer or, with {@link MixedArithmetic}, a
     * double: it is still a number, never a boolean, so it is refused at start rather than failing on every row.
     */
    private static String gives(CelAbstractSyntaxTree ast) {
        CelType resultType = ast.getResultType();
        if (resultType.equals(SimpleType.BOOL)) {
            return null;
        }
        if (!resultType.equals(SimpleType.DYN)) {
            return resultType.name();
        }
        CelExpr root = ast.getExpr();
        if (root.getKind() != CelExpr.ExprKind.Kind.CALL || !ARITHMETIC.contains(root.call().function())) {
            return null;
        }
        // + also joins text and lists: what it gives depends on the columns, but never true or false.
        return root.call().function().equals("_+_") ? "a sum (a number, text or a list)" : "a number";
    }

    /**
     * CEL's issues on one line, each as {@code line:column: message}: its own message adds the expression and a caret
     * on lines of their own, which a one-line configuration error cannot carry (the expression is in the file).
     */
    private static String issues(CelValidationException e) {
        List<String> issues = new ArrayList<>();
        for (CelIssue issue : e.getErrors()) {
            CelSourceLocation at = issue.getSourceLocation();
            issues.add((at.getLine() > 0 ? at.getLine() + ":" + (at.getColumn() + 1) + ": " : "")
                    + issue.getMessage().strip());
        }
        return issues.isEmpty() ? e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ") : String.join("; ", issues);
    }
}
